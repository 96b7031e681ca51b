"""The zh-hans catalogue is complete, and makemessages extracts strings marked with `_lazy(...)`."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)  # msgctxt, msgid, msgid_plural, msgstr, msgstr[0], …

    @property
    def msgstrs(self) -> dict[str, str]:
        return {key: value for key, value in self.fields.items() if key.startswith("msgstr")}


def _unquote(text: str, path: Path, number: int) -> str:
    text = text.strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"{path}:{number}: expected a quoted string, got {text!r}")
    return ast.literal_eval(text)  # PO strings use C escapes, which Python string literals share


def parse_po(path: Path) -> list[Entry]:
    """The catalogue's active entries (obsolete `#~` entries are left out); enough of the PO format for a check."""
    entries: list[Entry] = []
    entry: Entry | None = None
    key: str | None = None

    def start(number: int) -> Entry:
        new = Entry(line=number)
        entries.append(new)
        return new

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, key = None, None
        elif line.startswith("#~"):
            entry, key = None, None
        elif line.startswith("#"):
            if entry is None or "msgid" in entry.fields:
                entry, key = start(number), None
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
        elif line.startswith('"'):
            if entry is None or key is None:
                raise ValueError(f"{path}:{number}: continuation line outside a field")
            entry.fields[key] += _unquote(line, path, number)
        else:
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and (entry is None or "msgid" in entry.fields):
                entry = start(number)
            if entry is None or not keyword.startswith(("msgctxt", "msgid", "msgstr")):
                raise ValueError(f"{path}:{number}: unexpected line {raw!r}")
            key = keyword
            entry.fields[key] = _unquote(rest, path, number)
    return [entry for entry in entries if "msgid" in entry.fields]


def _describe(entry: Entry) -> str:
    context = f" (context {entry.fields['msgctxt']!r})" if "msgctxt" in entry.fields else ""
    return f"line {entry.line}: {entry.fields['msgid']!r}{context}"


def test_catalogue_parses_with_entries():
    entries = parse_po(CATALOGUE)
    assert entries[0].fields["msgid"] == "", "the catalogue starts with its header"
    assert len(entries) > 1000
    assert all(entry.msgstrs for entry in entries), "every entry has a msgstr"


def test_every_entry_is_translated():
    untranslated = [_describe(entry) for entry in parse_po(CATALOGUE)[1:]
                    if any(not text for text in entry.msgstrs.values())]
    assert not untranslated, f"{len(untranslated)} untranslated entries in {CATALOGUE.name}:\n" + "\n".join(untranslated)


def test_no_entry_is_fuzzy():
    fuzzy = [_describe(entry) for entry in parse_po(CATALOGUE) if "fuzzy" in entry.flags]
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries in {CATALOGUE.name}:\n" + "\n".join(fuzzy)


def test_plural_entries_fill_every_form():
    for entry in parse_po(CATALOGUE):
        if "msgid_plural" in entry.fields:
            assert "msgstr" not in entry.fields and "msgstr[0]" in entry.fields, _describe(entry)


def test_makemessages_extracts_lazy_marked_strings():
    from django.core.management import load_command_class
    from django.core.management.commands import makemessages

    command = load_command_class("core", "makemessages")
    assert isinstance(command, makemessages.Command)
    assert "--keyword=_lazy" in command.xgettext_options
    assert set(makemessages.Command.xgettext_options) <= set(command.xgettext_options)


def test_makemessages_override_is_the_one_django_runs():
    from django.core.management import get_commands

    assert get_commands()["makemessages"] == "core"


def test_a_submitted_bid_reads_as_a_state_not_as_a_time():
    """"Submitted" was one msgid for the bid's status and a column of submission times (提交时间)."""
    from django.utils import translation

    from bidding.models import BidStatus

    with translation.override("zh-hans"):
        assert str(BidStatus.SUBMITTED.label) == "已递交"
        assert translation.gettext("Submitted at") == "提交时间"
