# The portal's image for the scaled shape (docker-compose.yml): the same code as the embedded default,
# configured through the environment. Web, worker and beat run this one image with different commands.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libpq-dev libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --system --home /app portal \
 && DJANGO_SETTINGS_MODULE=scr_portal.settings SECRET_KEY=build-only python manage.py collectstatic --no-input \
 && mkdir -p /app/var && chown -R portal /app/var
USER portal
EXPOSE 8000
# Workers, threads and timeout come from gunicorn.conf.py (the one configuration; it says why those numbers).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "scr_portal.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
