#!/usr/bin/env bash
# Fails when user-facing text lacks a Chinese translation: extracts the messages into a copy
# of the tree (the working tree is left alone) and lists untranslated or fuzzy entries.
set -euo pipefail
cd "$(dirname "$0")/.."
python=$PWD/.venv/bin/python
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
cp -r manage.py manyi "$copy/"
(cd "$copy/manyi" && MANYI_VAR_DIR="$copy/var" "$python" ../manage.py makemessages -l zh_Hans --no-obsolete >/dev/null)
po="$copy/manyi/locale/zh_Hans/LC_MESSAGES/django.po"
missing=$( { msgattrib --untranslated --no-wrap "$po"; msgattrib --only-fuzzy --no-wrap "$po"; } | grep '^msgid "' | grep -v '^msgid ""$' || true)
if [ -n "$missing" ]; then
  echo "Untranslated or fuzzy zh-hans messages (run 'make messages' and translate them):"
  echo "$missing"
  exit 1
fi
# The compiled catalogue must match the committed .po (Django reads only the .mo).
mo=manyi/locale/zh_Hans/LC_MESSAGES/django.mo
msgfmt --check-format -o "$copy/fresh.mo" manyi/locale/zh_Hans/LC_MESSAGES/django.po
if ! cmp -s "$copy/fresh.mo" "$mo"; then
  echo "$mo is out of date with its .po: run 'make messages' (or manage.py compilemessages)."
  exit 1
fi
echo "zh-hans catalogue complete."
