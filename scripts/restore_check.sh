#!/usr/bin/env bash
# Vérifie qu'une sauvegarde PostgreSQL se restaure (docs/sauvegardes.md).
#
#   scripts/restore_check.sh SOURCE_URL [DUMP]
#
# Sans DUMP : sauvegarde SOURCE_URL avec pg_dump (format custom), comme la sauvegarde quotidienne.
# Puis : crée une base vide sur le même serveur, y restaure le dump avec pg_restore, et vérifie la base
# restaurée (scripts/restore_check.py) : même nombre de lignes que la source dans chaque table, une connexion
# par lien magique, une mise en relation retrouvée par la recherche. La base restaurée est supprimée à la fin
# (KEEP=1 pour la garder). Code de sortie 0 si tout est bon.
set -euo pipefail

source_url=${1:?"Usage : scripts/restore_check.sh SOURCE_URL [DUMP]"}
dump=${2:-}
here=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$here/.venv/bin/python}
target_db="restore_check_$(date +%Y%m%d%H%M%S)_$$"
target_url="${source_url%/*}/$target_db"
workdir=$(mktemp -d)

cleanup() {
    if [[ "${KEEP:-}" != 1 ]]; then
        dropdb --if-exists --maintenance-db="$source_url" "$target_db" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT

started=$(date +%s)
if [[ -z "$dump" ]]; then
    dump="$workdir/sauvegarde.dump"
    pg_dump --format=custom --no-owner --no-privileges --file="$dump" "$source_url"
    echo "Sauvegarde : $(du -h "$dump" | cut -f1) en $(( $(date +%s) - started )) s"
fi
createdb --maintenance-db="$source_url" "$target_db"
echo "Base restaurée : $target_db"
restore_started=$(date +%s)
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$target_url" "$dump"
echo "Restauration dans une base vide : $(( $(date +%s) - restore_started )) s"

cd "$here"
DATABASE_URL="$target_url" "$python" scripts/restore_check.py --source "$source_url"
