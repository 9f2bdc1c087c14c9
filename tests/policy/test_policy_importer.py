"""The importer turns each Trust's published text into clauses numbered as the body prints them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.policy import importer
from bot.policy.packs import DEFAULT_POLICIES_DIR, TRUST_IDS, load_pack

# Every numbered heading and paragraph of each body, from policy-digest.md section 2 and
# checked against the sources.
EXPECTED_NUMBERS: dict[str, list[str]] = {
    "lpt": [
        *["1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.0", "3.0", "4.0"],
        *["5.0", "5.1", "5.2", "5.3", "5.4", "5.5", "5.6"],
        *["6.0", "6.1", "6.2", "6.3", "6.4", "6.4.1", "6.4.2", "6.4.3", "6.4.4", "6.4.5"],
        *["6.4.6", "7.0", "7.1", "7.2", "7.3", "8.0", "8.1", "8.2", "8.3", "8.4", "8.5"],
        *["9.0", "10.0", "11.0", "12.0"],
        *[f"Appendix {n}" for n in range(1, 8)],
    ],
    "tewv": [
        *["1", "2", "2.1", "2.2", "3", "3.1", "3.2", "4", "4.1", "4.2", "4.3", "4.4"],
        *["4.4.1", "4.4.2", "4.5", "4.5.1", "4.5.2", "4.6", "4.6.1", "4.6.2", "4.6.3"],
        *["4.6.4", "4.7", "4.8", "4.9", "4.10", "5", "6", "7", "7.1", "7.2", "8", "9", "10"],
        *["Appendix 1", "Appendix 2", "Appendix 3"],
    ],
    "lchs": [
        *["1", *(f"1.{n}" for n in range(1, 8)), "2", "2.1"],
        *["3", *(f"3.{n}" for n in range(1, 7)), "4"],
        *["5", "5.1", "5.2", "5.3", "5.5", "5.6", "5.7"],
        *["6", *(f"6.{n}" for n in range(1, 10)), "7", *(f"7.{n}" for n in range(1, 6))],
        *["8", *(f"8.{n}" for n in range(1, 5)), "9", "9.1", "9.2", "10", "10.1"],
        *["11", "11.1", "12", "Appendix A"],
    ],
    "cumbria": [
        *["1", "2", "3", *(f"3.{n}" for n in range(1, 10)), "4", "5", "6", "7"],
        *["8", *(f"8.{n}" for n in range(1, 9)), "9"],
    ],
    "secamb": [
        *["1", "1.1", "1.2", "2", *(f"2.{n}" for n in range(1, 14))],
        *["3", *(f"3.{n}" for n in range(1, 7)), "4", *(f"4.{n}" for n in range(1, 6))],
        *["5", *(f"5.{n}" for n in range(1, 6)), "6", *(f"6.{n}" for n in range(1, 5))],
        *["7", "7.1", "7.2", "7.3", "8", "8.1", "8.2", "9", *(f"9.{n}" for n in range(1, 5))],
        *["11", "11.1"],
    ],
}


def imported(trust_id: str) -> dict[str, importer.ImportedClause]:
    pack = load_pack(trust_id)
    text = pack.source_path.read_text(encoding="utf-8")
    return {c.number: c for c in importer.import_clauses(text, trust_id)}


@pytest.mark.parametrize("trust_id", TRUST_IDS)
def test_importer_finds_every_numbered_clause_of_the_body(trust_id: str) -> None:
    assert list(imported(trust_id)) == EXPECTED_NUMBERS[trust_id]


@pytest.mark.parametrize("trust_id", TRUST_IDS)
def test_importer_reproduces_the_committed_clauses(trust_id: str) -> None:
    pack = load_pack(trust_id)
    overridden = {(o.number, o.field) for o in pack.clause_overrides}
    fresh = [c.as_dict() for c in imported(trust_id).values()]
    committed = [{"number": c.number, "heading": c.heading, "text": c.text} for c in pack.clauses]
    if not overridden:
        assert committed == fresh
    else:  # pragma: no cover - only once a pack lists overrides
        for old, new in zip(committed, fresh, strict=False):
            for field in ("heading", "text"):
                if (old["number"], field) not in overridden:
                    assert old[field] == new[field], (old["number"], field)


@pytest.mark.parametrize("trust_id", TRUST_IDS)
def test_trust_is_detected_from_the_name_its_document_prints(trust_id: str) -> None:
    text = load_pack(trust_id).source_path.read_text(encoding="utf-8")
    assert importer.detect_trust(text) == trust_id


def test_lpt_appendices_carry_the_body_headings_not_the_off_by_one_cross_references() -> None:
    clauses = imported("lpt")
    assert clauses["Appendix 5"].heading == "Data Privacy Impact Assessment Screening"
    assert clauses["Appendix 6"].heading == "Dealing with Abuse Images – Guidance"
    assert clauses["Appendix 7"].heading == "Malicious 4 SM Test"
    # 6.2 points to "Appendix 5" for abuse images; the text is kept exactly as printed.
    assert "See Appendix 5 for guidance around dealing with abusive images." in (
        clauses["6.2"].text.replace("\n", " ")
    )
    # The source stops mid-sentence in Appendix 6; the importer keeps the cut text.
    assert "You should also contact the LPT" in clauses["Appendix 6"].text


def test_lpt_list_items_and_screening_questions_are_not_clauses() -> None:
    clauses = imported("lpt")
    assert not {"1", "2", "1.", "2.", "3", "8"} & set(clauses)
    assert "1. Trust provided devices:" in clauses["7.2"].text
    assert "2. Personal devices" in clauses["7.2"].text
    assert "1. Will the process described in the document" in clauses["Appendix 5"].text


def test_lpt_contents_list_and_page_furniture_do_not_leak_into_clauses() -> None:
    clauses = imported("lpt")
    assert list(clauses)[0] == "1.0"
    for clause in clauses.values():
        assert "This is a controlled document" not in clause.text
        assert "Status – Final" not in clause.text
        assert "Title Social Media and Communications Policy" not in clause.text
    # A sentence broken by a page header is put back together.
    assert "sharing of ideas and stories, creating communities" in clauses["4.0"].text


def test_tewv_body_numbers_win_over_the_introductions_old_numbers() -> None:
    clauses = imported("tewv")
    assert clauses["4.4.1"].heading == "Communicating with people in our care"
    assert clauses["4.5.1"].heading == "Contact from the media and journalists"
    assert clauses["4.5.2"].heading == "Personal and professional social media accounts"
    assert clauses["4.6.2"].heading == "Threats of violence"
    assert clauses["Appendix 1"].heading == "Equality Analysis Screening Form"
    assert not any("Ref: CORP-0068-v1" in c.text for c in clauses.values())


def test_lchs_paragraphs_have_no_heading_and_there_is_no_5_4() -> None:
    clauses = imported("lchs")
    assert "5.4" not in clauses
    assert clauses["5.1"].heading is None
    assert clauses["5.1"].text == (
        "Staff of the trust may use social media for private purposes during their work breaks."
    )
    assert clauses["5"].heading == "Private Use of Social Media"
    assert clauses["Appendix A"].heading == "Equality Analysis"


def test_cumbria_keeps_sections_8_5_to_8_8_and_stops_before_document_control() -> None:
    clauses = imported("cumbria")
    assert clauses["1"].heading == "INTRODUCTION"
    assert clauses["8.8"].heading == "Communications team"
    assert "DOCUMENT CONTROL" not in clauses["9"].text


def test_secamb_has_no_section_10_and_reads_bullet_and_bare_numbers() -> None:
    clauses = imported("secamb")
    assert "10" not in clauses and "11" in clauses
    assert clauses["2.13"].heading is None
    assert clauses["2.13"].text.startswith("The Trust will ensure that employees are made aware")
    assert clauses["3.3"].heading is None
    assert clauses["3.3"].text.startswith("This policy applies to all content types")
    assert clauses["4.5"].text.startswith("Employees must maintain up to date knowledge")


def test_a_list_item_read_as_a_heading_stops_the_import() -> None:
    style = importer.Style(
        name="demo",
        trust_name="Demo",
        body_start=importer.STYLES["tewv"].body_start,
        headings=importer.STYLES["tewv"].headings,
    )
    text = "1 Introduction\nText.\n2 Scope\nText.\n1 Item that looks like a heading\n"
    with pytest.raises(importer.PolicyImportError, match="1 follows 2"):
        importer.import_clauses(text, style)


def test_unknown_documents_are_refused_rather_than_guessed() -> None:
    with pytest.raises(importer.PolicyImportError, match="pass --trust"):
        importer.detect_trust("A policy from nowhere in particular.")


def test_clause_text_keeps_only_whitespace_and_bullet_changes() -> None:
    for trust_id in TRUST_IDS:
        pack = load_pack(trust_id)
        source = importer.source_match_key(
            pack.source_path.read_text(encoding="utf-8"), importer.STYLES[trust_id]
        )
        for clause in pack.clauses:
            assert importer.match_key(clause.text) in source, (trust_id, clause.number)


def test_rendered_clauses_load_back_unchanged_and_keep_other_keys(tmp_path: Path) -> None:
    clauses = [c.as_dict() for c in imported("tewv").values()]
    block = importer.render_clauses_yaml(clauses)
    assert yaml.safe_load(block)["clauses"] == clauses
    pack_text = "trust:\n  id: demo\n\nclauses: []\n\nclause_overrides: []\n\nplaybooks: {}\n"
    replaced = importer.replace_clauses_block(pack_text, block)
    data = yaml.safe_load(replaced)
    assert data["clauses"] == clauses
    assert data["trust"] == {"id": "demo"} and data["playbooks"] == {}
    assert importer.replace_clauses_block(replaced, block) == replaced


def test_import_policy_command_writes_the_committed_clauses(tmp_path: Path, capsys) -> None:
    out = tmp_path / "lchs.yml"
    source = DEFAULT_POLICIES_DIR / "sources" / load_pack("lchs").document.source
    assert main(["import-policy", str(source), "--out", str(out)]) == 0
    written = yaml.safe_load(out.read_text(encoding="utf-8"))["clauses"]
    committed = yaml.safe_load((DEFAULT_POLICIES_DIR / "lchs.yml").read_text())["clauses"]
    assert written == committed
    assert "lchs: 55 clauses" in capsys.readouterr().out
