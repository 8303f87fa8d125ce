#!/usr/bin/env bash
# Restores an SCR Portal backup made by scripts/backup.sh into a fresh, empty PostgreSQL database and an
# empty (or absent) media folder, checking every digest in the manifest on the way.
#
#   createdb scr_restored
#   DATABASE_URL=postgres://user@host:5432/scr_restored MEDIA_ROOT=/srv/scr/media-restored \
#       scripts/restore.sh /backups/scr-portal-20260301T020000Z
#
# Refuses a database that already holds tables or a media folder that holds files: a restore never
# overwrites data. The database is restored in one transaction (all or nothing). Afterwards it runs
# `manage.py verify_integrity` against what it restored (every signed response against its digest, every
# stored file present and unchanged) unless --no-verify is given. See docs/BACKUP.md.
set -euo pipefail
umask 077

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
verify=1
backup=""
for argument in "$@"; do
    case "$argument" in
        --no-verify) verify=0 ;;
        -*) echo "Unknown option $argument" >&2; exit 2 ;;
        *) backup="$argument" ;;
    esac
done
if [[ -z "$backup" ]]; then
    echo "Usage: DATABASE_URL=postgres://… MEDIA_ROOT=dir $0 [--no-verify] BACKUP_FOLDER" >&2
    exit 2
fi
: "${DATABASE_URL:?Set DATABASE_URL to the empty database to restore into}"
: "${MEDIA_ROOT:?Set MEDIA_ROOT to the empty folder to restore the files into}"
manifest="$backup/manifest.txt"
[[ -f "$manifest" ]] || { echo "No manifest.txt in $backup: not a complete backup." >&2; exit 1; }

# shellcheck source=scripts/pg-tool.sh
source "$root/scripts/pg-tool.sh"
psql_value() {
    "$psql" --no-psqlrc --quiet --tuples-only --no-align --dbname="$DATABASE_URL" --command="$1"
}

started=$(date +%s)
psql="$(pg_tool psql)"
pg_restore="$(pg_tool pg_restore)"

# 1. The backup is whole and unchanged.
checks=$(mktemp)
trap 'rm -f "$checks"' EXIT
awk '!/^#/ && NF == 3 && $3 !~ /^media\// { print $1 "  " $3 }' "$manifest" >"$checks"
[[ $(wc -l <"$checks") -eq 2 ]] || { echo "The manifest does not list database.dump and media.tar." >&2; exit 1; }
(cd "$backup" && sha256sum --check --quiet "$checks") || { echo "The backup's files do not match its manifest." >&2; exit 1; }

# 2. The targets are empty.
tables=$(psql_value "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")
if [[ "$tables" != 0 ]]; then
    echo "The database already holds $tables tables: restore only into a new, empty database." >&2
    exit 1
fi
if [[ -d "$MEDIA_ROOT" && -n "$(ls -A "$MEDIA_ROOT")" ]]; then
    echo "$MEDIA_ROOT is not empty: restore the files only into a new, empty folder." >&2
    exit 1
fi

# 3. The database, all or nothing; then fresh planner statistics (a restore brings none).
"$pg_restore" --dbname="$DATABASE_URL" --no-owner --no-privileges --exit-on-error --single-transaction \
    "$backup/database.dump"
psql_value "ANALYZE" >/dev/null

# 4. The files, each checked against its digest.
mkdir -p "$MEDIA_ROOT"
tar --extract --file="$backup/media.tar" --directory="$MEDIA_ROOT" --no-same-owner
awk '!/^#/ && NF == 3 && $3 ~ /^media\// { sub(/^media\//, "", $3); print $1 "  " $3 }' "$manifest" >"$checks"
files=$(wc -l <"$checks")
if [[ "$files" -gt 0 ]]; then
    (cd "$MEDIA_ROOT" && sha256sum --check --quiet "$checks") || { echo "Restored files do not match the manifest." >&2; exit 1; }
fi

tables=$(psql_value "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
echo "Restored $tables tables and $files files from $backup in $(( $(date +%s) - started )) s."

# 5. What the restored data says still holds.
if [[ "$verify" == 1 ]]; then
    python="$root/.venv/bin/python"
    [[ -x "$python" ]] || python="$(command -v python3)"
    (cd "$root" && DATABASE_URL="$DATABASE_URL" MEDIA_ROOT="$MEDIA_ROOT" "$python" manage.py verify_integrity)
fi
