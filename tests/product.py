"""The product's own top-level packages, read from INSTALLED_APPS (the ones that are folders of this
repository), for the tests that walk the product's source: a new app is covered without a list to update."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
PRODUCT_APPS: tuple[str, ...] = tuple(
    dict.fromkeys(
        name.split(".")[0] for name in settings.INSTALLED_APPS if (ROOT / name.split(".")[0]).is_dir()
    )
)
