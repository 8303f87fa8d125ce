# Sourced by backup.sh and restore.sh. pg_tool NAME prints the path of a PostgreSQL client program: the
# server's own major version when installed (Debian keeps each version under /usr/lib/postgresql/N/bin),
# otherwise the one on the PATH; PG_BIN overrides both. Needs DATABASE_URL.
pg_tool() {
    local name="$1" major
    if [[ -n "${PG_BIN:-}" ]]; then echo "$PG_BIN/$name"; return; fi
    major=$(( $(psql --no-psqlrc --quiet --tuples-only --no-align --dbname="$DATABASE_URL" \
        --command="SHOW server_version_num") / 10000 ))
    if [[ -x "/usr/lib/postgresql/$major/bin/$name" ]]; then
        echo "/usr/lib/postgresql/$major/bin/$name"
    else
        command -v "$name"
    fi
}
