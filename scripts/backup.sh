#!/usr/bin/env bash
# Backs up the SCR Portal: the PostgreSQL database (pg_dump, custom format) and the media store (uploaded
# reports, evidence files, generated documents), with a manifest of sizes and SHA-256 digests.
#
#   DATABASE_URL=postgres://user@host:5432/scr MEDIA_ROOT=/srv/scr/media scripts/backup.sh /backups
#
# Writes /backups/scr-portal-YYYYMMDDTHHMMSSZ/ holding database.dump, media.tar and manifest.txt. The folder
# is built under a ".partial" name and renamed only when complete, so a folder without that suffix is
# always a whole backup. pg_dump reads one consistent snapshot; the files are copied just after it, so every
# file the dumped rows name is present (files are written before their rows are committed).
# See docs/BACKUP.md for how often to run it, where to keep the result and how to test a restore.
set -euo pipefail
umask 077  # the backup holds personal data: readable by its owner only

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
destination="${1:-}"
if [[ -z "$destination" || "$destination" == -* ]]; then
    echo "Usage: DATABASE_URL=postgres://… [MEDIA_ROOT=dir] $0 DESTINATION_FOLDER" >&2
    exit 2
fi
: "${DATABASE_URL:?Set DATABASE_URL to the PostgreSQL database to back up}"
media_root="${MEDIA_ROOT:-$root/var/media}"

# shellcheck source=scripts/pg-tool.sh
source "$root/scripts/pg-tool.sh"

started=$(date +%s)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
final="$destination/scr-portal-$stamp"
work="$final.partial"
mkdir -p "$destination"
mkdir "$work"
trap 'rm -rf "$work"' EXIT

pg_dump="$(pg_tool pg_dump)"
psql="$(pg_tool psql)"
database=$("$psql" --no-psqlrc --quiet --tuples-only --no-align --dbname="$DATABASE_URL" \
    --command="SELECT current_database() || ' (' || split_part(version(), ' on ', 1) || ')'")

"$pg_dump" --dbname="$DATABASE_URL" --format=custom --compress=6 --file="$work/database.dump"

# The media store, after the database: tar records the generated file names exactly as stored.
if [[ -d "$media_root" ]]; then
    tar --create --file="$work/media.tar" --directory="$media_root" --sort=name .
else
    tar --create --file="$work/media.tar" --files-from=/dev/null
fi

# One line per file: SHA-256, size in bytes, name (the media files read back from the archive itself,
# so the digests describe exactly what was saved).
digest_line() { printf '%s  %s  %s\n' "$(sha256sum "$1" | cut -d' ' -f1)" "$(stat -c %s "$1")" "$2"; }
{
    digest_line "$work/database.dump" database.dump
    digest_line "$work/media.tar" media.tar
    # shellcheck disable=SC2016  # expanded by the shell tar starts for each file
    tar --extract --file="$work/media.tar" --to-command='printf "%s  %s  media/%s\n" \
        "$(sha256sum | cut -d" " -f1)" "$TAR_SIZE" "${TAR_FILENAME#./}"'
} >"$work/files.txt"

media_files=$(grep -c '  media/' "$work/files.txt" || true)
media_bytes=$(awk '$3 ~ /^media\// { total += $2 } END { print total + 0 }' "$work/files.txt")
{
    echo "# SCR Portal backup"
    echo "created_at: $(date -u -d "@$started" +%Y-%m-%dT%H:%M:%SZ)"
    echo "database: $database"
    echo "pg_dump: $("$pg_dump" --version)"
    echo "media_root: $media_root"
    echo "media_files: $media_files"
    echo "media_bytes: $media_bytes"
    echo "seconds: $(( $(date +%s) - started ))"
    echo "# sha256  bytes  file"
    cat "$work/files.txt"
} >"$work/manifest.txt"
rm "$work/files.txt"

mv "$work" "$final"
trap - EXIT
echo "Backup written to $final"
echo "  database.dump: $(stat -c %s "$final/database.dump") bytes; media.tar: $(stat -c %s "$final/media.tar") bytes ($media_files files)"
echo "  took $(( $(date +%s) - started )) s"
