#!/usr/bin/env bash
# Refresh the translation catalogue after changing interface text, then compile it:
#   tools/translations.sh            extract, update es/messages.po, compile messages.mo
# Translate the new or fuzzy entries in directory/translations/es/LC_MESSAGES/messages.po,
# run it again, and commit both the .po and the .mo (the app reads the compiled .mo).
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=.venv/bin/pybabel
catalog=directory/translations
# --ignore-dirs only skips hidden folders: templates/_macros holds interface text too.
"$pybabel" extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs '.*' --no-location \
  --sort-output --project "Harm Reduction Directory" -o "$catalog/messages.pot" directory templates
if [ -f "$catalog/es/LC_MESSAGES/messages.po" ]; then
  "$pybabel" update -i "$catalog/messages.pot" -d "$catalog" -l es --no-fuzzy-matching --ignore-obsolete
else
  "$pybabel" init -i "$catalog/messages.pot" -d "$catalog" -l es
fi
"$pybabel" compile -d "$catalog" --statistics
