"""Turn a Trust's policy, as published in plain text, into a pack's ``clauses`` list.

Staff act on these clauses during incidents, so the importer is deliberately literal: a
clause's number is the number the BODY prints, its heading and text are copied character for
character, and the only liberties taken are the three SCHEMA.md allows (whitespace, bullet
markers, page furniture). The checker re-runs the importer on every source and compares, so a
hand edit to a committed clause is caught unless ``clause_overrides`` says why.

Style detection
---------------
Each Trust numbers its document differently, so parsing is driven by a ``Style`` per Trust
(``STYLES``, keyed by pack id). The style is chosen by ``--style``/``--trust`` on the command
line, or automatically by ``detect_trust`` from the Trust name the document prints (each
source names its own Trust and none names another's). Traps each style avoids:

* ``lpt``: "6.0 Social Media", "6.4.5 Intimidation, ...", "Appendix 1" ... "Appendix 7". The
  contents list at the top repeats the headings with tab and page numbers, so the body starts
  at the first exact "1.0 Quick look summary –" line (the contents line ends in a tab). The
  list items "1. Trust provided devices:" in 7.2 and the numbered screening questions in
  Appendix 5 ("1. Will the process ...") have a full stop after a single number and so are
  never headings. Furniture: the repeated "This is a controlled document..." line and the
  "16/07/2024 / Status – Final / Title Social Media and Communications Policy" header block.
* ``tewv``: "4 Policy", "4.4.1 Communicating with people in our care", "Appendix 1 - ...".
  The Introduction lists "- 4.5.1 Communicating with service users" (old numbers, printed as
  bullets): bullet lines are never headings in this style. The contents list uses tabs
  ("1<TAB>Introduction<TAB>4"); the stray "1" before the crisis list in 4.4.2 has no title.
  Appendix 2's checklist rows ("1.<TAB>Title") and monitoring rows ("1<TAB>InPhase ...") use
  tabs. Furniture: "Ref: CORP-0068-v1 ..." running headers/footers ("... Page 23 of 29").
* ``lchs``: "1 Introduction" headings and bare numbered paragraphs "5.1 Staff of the trust
  may..." (heading ``None``; the paragraph's words are its text). There is no 5.4 in the body
  and none is invented. "Appendix A Equality Analysis". The contents list uses "1." with tabs.
* ``cumbria``: "1. INTRODUCTION" (the full stop is punctuation, the number is "1"), "3.1
  Overview", "8.8 Communications team" (the contents list omits 8.5, 8.7 and 8.8; the body
  is what counts). The unnumbered "DOCUMENT CONTROL" block after section 9 is not part of 9.
* ``secamb``: "1. Statement of Aims and Objectives", paragraphs printed as bullets
  ("- 2.13 The Trust will...") or alone on a line ("3.3", text in the next paragraph), heading
  ``None``. There is no section 10 (9 is followed by 11).

LCHS, Cumbria and SECAmb print no page furniture inside the body (each file was checked: their
running headers, if any, survive only in the front matter, which is never imported).

Every style also refuses numbers that go backwards (``PolicyImportError``): a list item mistaken
for a heading would almost always break document order, so the import fails loudly instead
of publishing a wrong clause number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# Bullet glyphs that may open a line. SCHEMA.md lets us normalise them, so the importer writes
# every one as "- " and the checker ignores them (see ``match_key``).
_BULLET_RE = re.compile(r"^[ \t]*(?:[-•∘▪◦·](?:[ \t]+|$))+")
_GLYPH_BULLET_RE = re.compile(r"^([ \t]*)[•∘▪◦·][ \t]+")
_TERMINAL_PUNCTUATION = ".:;!?)"


class PolicyImportError(ValueError):
    """The source did not parse the way its style expects; nothing should be written."""


@dataclass(frozen=True)
class HeadingPattern:
    """One way a numbered clause can open a line.

    ``has_heading``: the rest of the line is the clause heading (LPT "6.4 Risks"); otherwise
    the number stands bare and the rest of the line, if any, starts the clause text
    (LCHS "5.1 Staff of the trust may...", SECAmb "- 2.13 ...").
    ``prefix``: put in front of the captured number ("Appendix ").
    """

    regex: re.Pattern[str]
    has_heading: bool
    prefix: str = ""


@dataclass(frozen=True)
class Style:
    """How one Trust's document prints its clauses, and what on its pages is furniture."""

    name: str
    trust_name: str
    body_start: re.Pattern[str]
    headings: tuple[HeadingPattern, ...]
    furniture: tuple[re.Pattern[str], ...] = ()
    body_end: re.Pattern[str] | None = None
    fingerprints: tuple[str, ...] = ()


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


STYLES: dict[str, Style] = {
    "lpt": Style(
        name="lpt",
        trust_name="Leicestershire Partnership NHS Trust",
        body_start=_re(r"^1\.0 Quick look summary –$"),
        headings=(
            HeadingPattern(_re(r"^(\d+\.\d+(?:\.\d+)*) (\S.*)$"), has_heading=True),
            HeadingPattern(_re(r"^Appendix (\d+) (\S.*)$"), has_heading=True, prefix="Appendix "),
        ),
        furniture=(
            _re(r"^This is a controlled document\. "),
            _re(r"^16/07/2024$"),
            _re(r"^Status – Final$"),
            _re(r"^Title Social Media and Communications Policy$"),
        ),
        fingerprints=("Leicestershire Partnership NHS Trust",),
    ),
    "tewv": Style(
        name="tewv",
        trust_name="Tees, Esk and Wear Valleys NHS Foundation Trust",
        body_start=_re(r"^1 Introduction$"),
        headings=(
            HeadingPattern(_re(r"^(\d+(?:\.\d+)*) (\S.*)$"), has_heading=True),
            HeadingPattern(_re(r"^Appendix (\d+) [-–] (\S.*)$"), has_heading=True, prefix="Appendix "),
        ),
        furniture=(_re(r"^Ref: CORP-0068-v1\b"),),
        fingerprints=("CORP-0068", "Tees, Esk and Wear Valleys NHS Foundation Trust"),
    ),
    "lchs": Style(
        name="lchs",
        trust_name="Lincolnshire Community Health Services NHS Trust",
        body_start=_re(r"^1 Introduction$"),
        headings=(
            HeadingPattern(_re(r"^(\d+) (\S.*)$"), has_heading=True),
            HeadingPattern(_re(r"^(\d+\.\d+) (\S.*)$"), has_heading=False),
            HeadingPattern(_re(r"^Appendix ([A-Z]) (\S.*)$"), has_heading=True, prefix="Appendix "),
        ),
        fingerprints=("Lincolnshire Community Health Services NHS Trust",),
    ),
    "cumbria": Style(
        name="cumbria",
        trust_name=(
            "Cumbria Partnership NHS Foundation Trust and North Cumbria University Hospitals NHS Trust"
        ),
        body_start=_re(r"^1\. INTRODUCTION$"),
        headings=(
            HeadingPattern(_re(r"^(\d+)\. (\S.*)$"), has_heading=True),
            HeadingPattern(_re(r"^(\d+\.\d+) (\S.*)$"), has_heading=True),
        ),
        body_end=_re(r"^DOCUMENT CONTROL$"),
        fingerprints=("Cumbria Partnership",),
    ),
    "secamb": Style(
        name="secamb",
        trust_name="South East Coast Ambulance Service NHS Foundation Trust",
        body_start=_re(r"^1\. Statement of Aims and Objectives$"),
        headings=(
            HeadingPattern(_re(r"^(\d+)\. (\S.*)$"), has_heading=True),
            HeadingPattern(_re(r"^(?:- )?(\d+\.\d+)(?: (\S.*))?$"), has_heading=False),
        ),
        fingerprints=("South East Coast Ambulance Service",),
    ),
}


@dataclass
class ImportedClause:
    """A clause as the importer reads it; ``as_dict`` is what a pack's YAML holds."""

    number: str
    heading: str | None
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return _tidy(self.lines)

    def as_dict(self) -> dict[str, str | None]:
        return {"number": self.number, "heading": self.heading, "text": self.text}


def detect_trust(text: str) -> str:
    """Return the pack id whose Trust the document names; fail rather than guess."""
    found = [style.name for style in STYLES.values() if any(f in text for f in style.fingerprints)]
    if len(found) != 1:
        raise PolicyImportError(
            f"cannot tell which Trust this document belongs to (matches: {found or 'none'}); "
            f"pass --trust with one of {', '.join(STYLES)}"
        )
    return found[0]


def is_furniture(line: str, style: Style) -> bool:
    """True for a page header/footer line that the published PDF repeats on every page."""
    return any(p.search(line) for p in style.furniture)


def strip_furniture(text: str, style: Style) -> list[str]:
    """The source's lines with page furniture removed (nothing else changes)."""
    return [line for line in text.split("\n") if not is_furniture(line, style)]


def match_key(text: str) -> str:
    """Comparison form of a passage: bullet markers dropped, whitespace collapsed.

    SCHEMA.md defines "verbatim" this way, so the importer's output, committed clause texts,
    quotes and the source itself are all compared through this one function.
    """
    lines = (_BULLET_RE.sub("", line) for line in text.split("\n"))
    return " ".join(" ".join(lines).split())


def source_match_key(text: str, style: Style) -> str:
    """``match_key`` of a whole source after its page furniture is removed."""
    return match_key("\n".join(strip_furniture(text, style)))


def import_clauses(text: str, style: Style | str) -> list[ImportedClause]:
    """Every numbered heading, numbered paragraph and appendix of the body, in order."""
    if isinstance(style, str):
        style = STYLES[style]
    lines = strip_furniture(text, style)
    start = next((i for i, line in enumerate(lines) if style.body_start.match(line)), None)
    if start is None:
        raise PolicyImportError(
            f"{style.name}: the body's first heading ({style.body_start.pattern}) is not in "
            "the source; is this the right --style?"
        )
    clauses: list[ImportedClause] = []
    for line in lines[start:]:
        if style.body_end is not None and style.body_end.match(line):
            break
        opened = _open_clause(line, style)
        if opened is None:
            if clauses:
                clauses[-1].lines.append(line)
            continue
        if clauses and _order_key(opened.number) <= _order_key(clauses[-1].number):
            raise PolicyImportError(
                f"{style.name}: clause {opened.number} follows {clauses[-1].number}; a list "
                f"item was probably read as a heading: {line[:80]!r}"
            )
        clauses.append(opened)
    return clauses


def import_file(path: Path | str, trust: str | None = None) -> tuple[str, list[ImportedClause]]:
    """Read a source file and import it; returns the pack id used and the clauses."""
    text = Path(path).read_text(encoding="utf-8")
    trust_id = trust or detect_trust(text)
    if trust_id not in STYLES:
        raise PolicyImportError(f"unknown Trust {trust_id!r}: use one of {', '.join(STYLES)}")
    return trust_id, import_clauses(text, STYLES[trust_id])


def _open_clause(line: str, style: Style) -> ImportedClause | None:
    for pattern in style.headings:
        m = pattern.regex.match(line)
        if not m:
            continue
        number = pattern.prefix + m.group(1)
        rest = (m.group(2) or "").strip() if m.lastindex and m.lastindex >= 2 else ""
        if pattern.has_heading:
            return ImportedClause(number=number, heading=rest)
        return ImportedClause(number=number, heading=None, lines=[rest] if rest else [])
    return None


def _order_key(number: str) -> tuple:
    """Document order: numbered sections first, then appendices (1..7 or A..Z)."""
    if number.startswith("Appendix "):
        label = number.removeprefix("Appendix ")
        return (1, int(label) if label.isdigit() else ord(label) - ord("A") + 1)
    return (0, *(int(part) for part in number.split(".")))


def _tidy(raw: Sequence[str]) -> str:
    """Whitespace-only tidy of a clause's lines, so the YAML and the chat stay readable.

    Tabs (table cells) become two spaces, indentation becomes two spaces, glyph bullets become
    "- ", runs of blank lines become one, and a sentence broken across a page break or a hard
    wrap ("sharing of ideas and" / "stories, creating ...") is rejoined. No character other
    than whitespace and bullet markers is added, dropped or changed.
    """
    lines: list[str] = []
    for line in raw:
        line = _GLYPH_BULLET_RE.sub(r"\1- ", line.rstrip())
        indent = "  " if line[:1] in (" ", "\t") and line.strip() else ""
        line = indent + re.sub(r"[ \t]*\t[ \t]*", "  ", line.strip())
        lines.append(line)
    paragraphs: list[str] = []
    blank_before = False
    for line in lines:
        if not line:
            blank_before = True
            continue
        if paragraphs and _continues(paragraphs[-1], line):
            paragraphs[-1] = f"{paragraphs[-1]} {line.strip()}"
        elif paragraphs and blank_before:
            paragraphs.append("")
            paragraphs.append(line)
        else:
            paragraphs.append(line)
        blank_before = False
    if paragraphs:
        paragraphs[0] = paragraphs[0].lstrip()
    return "\n".join(paragraphs)


def _continues(previous: str, line: str) -> bool:
    """A line that starts in lower case after one that stops mid-sentence is the same sentence."""
    stripped = line.lstrip()
    return bool(previous) and previous.rstrip()[-1:] not in _TERMINAL_PUNCTUATION and stripped[:1].islower()


def clauses_as_dicts(clauses: Iterable[ImportedClause]) -> list[dict[str, str | None]]:
    return [c.as_dict() for c in clauses]


# --------------------------------------------------------------------------- writing YAML


class _Quoted(str):
    """A clause number: always double-quoted, because YAML reads 4.10 as the float 4.1."""


class _Folded(str):
    """Clause text: a folded block scalar, so a policy owner can read and edit it."""


class _Literal(str):
    """Clause text that PyYAML cannot fold faithfully: a literal block scalar instead."""


class _PackDumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):  # noqa: D102
        return super().increase_indent(flow, False)


_PackDumper.add_representer(
    _Quoted, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style='"')
)
_PackDumper.add_representer(
    _Folded, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style=">")
)
_PackDumper.add_representer(
    _Literal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v), style="|")
)


def render_clauses_yaml(clauses: Sequence[dict[str, str | None]]) -> str:
    """The ``clauses:`` block of a pack, readable, and proven to load back unchanged.

    A one-paragraph text is folded (wrapped to the page); a text with several lines is a
    literal block, so lists and paragraphs look in the file exactly as they are stored.
    Every clause is dumped, loaded back and compared; any that does not come back identical
    is written as a literal block instead.
    """
    literal: set[int] = set()
    for _attempt in range(2):
        data = {
            "clauses": [
                {
                    "number": _Quoted(c["number"]),
                    "heading": c["heading"],
                    "text": (_Literal if i in literal or "\n" in (c["text"] or "") else _Folded)(
                        c["text"] or ""
                    ),
                }
                for i, c in enumerate(clauses)
            ]
        }
        rendered = yaml.dump(
            data, Dumper=_PackDumper, allow_unicode=True, sort_keys=False, width=96, indent=2
        )
        loaded = yaml.safe_load(rendered)["clauses"]
        wrong = {i for i, (a, b) in enumerate(zip(loaded, clauses, strict=True)) if a != dict(b)}
        if not wrong:
            return rendered
        literal |= wrong
    raise PolicyImportError(f"clauses {sorted(literal)} do not survive a YAML round trip")


_TOP_LEVEL_LINE = re.compile(r"^\S")


def replace_clauses_block(pack_text: str, clauses_yaml: str) -> str:
    """Put a fresh ``clauses:`` block into a pack's YAML, leaving every other line as it was.

    Editing text rather than re-dumping the whole pack keeps the hand-written parts (comments,
    ``document``, ``playbooks`` appended by others) byte for byte. Without an existing block
    the new one goes before ``clause_overrides:``/``playbooks:``, or at the end.
    """
    lines = pack_text.splitlines(keepends=True)
    block = clauses_yaml if clauses_yaml.endswith("\n") else clauses_yaml + "\n"
    start = next((i for i, line in enumerate(lines) if line.startswith("clauses:")), None)
    if start is not None:
        end = next(
            (j for j in range(start + 1, len(lines)) if _TOP_LEVEL_LINE.match(lines[j])),
            len(lines),
        )
        tail = "".join(lines[end:])
        return "".join(lines[:start]) + block + ("\n" + tail if tail else "")
    for key in ("clause_overrides:", "playbooks:"):
        at = next((i for i, line in enumerate(lines) if line.startswith(key)), None)
        if at is not None:
            return "".join(lines[:at]) + block + "\n" + "".join(lines[at:])
    text = "".join(lines)
    if text and not text.endswith("\n"):
        text += "\n"
    return text + block
