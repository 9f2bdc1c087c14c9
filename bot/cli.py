"""``python -m bot <command>``: the project's command line.

A plain dispatch table (``COMMANDS``): each entry is a help line, a function that adds the
command's arguments and a function that runs it and returns the exit code. To add a command,
write those two functions and add one line to the table. Heavy modules are imported inside the
handlers so ``python -m bot --help`` stays fast and nothing is read at import time.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import NamedTuple


class Command(NamedTuple):
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


# --------------------------------------------------------------------------- import-policy


def _import_policy_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", type=Path, help="the policy's plain text (policies/sources/…)")
    parser.add_argument(
        "--trust",
        help="pack id (lpt, tewv, lchs, cumbria, secamb); detected from the text if omitted",
    )
    parser.add_argument(
        "--style",
        help="numbering style to parse with; defaults to the Trust's own (same ids as --trust)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="pack file to write the clauses into (other keys are kept as they are); "
        "prints the clauses block if omitted",
    )


def import_policy(args: argparse.Namespace) -> int:
    from bot.policy import importer

    text = args.source.read_text(encoding="utf-8")
    try:
        trust_id = args.trust or importer.detect_trust(text)
        style_id = args.style or trust_id
        if style_id not in importer.STYLES:
            raise importer.PolicyImportError(
                f"no style {style_id!r}: use one of {', '.join(importer.STYLES)}"
            )
        clauses = importer.import_clauses(text, importer.STYLES[style_id])
    except importer.PolicyImportError as exc:
        print(f"import-policy: {exc}", file=sys.stderr)
        return 1
    block = importer.render_clauses_yaml(importer.clauses_as_dicts(clauses))
    if args.out is None:
        sys.stdout.write(block)
        return 0
    existing = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
    args.out.write_text(importer.replace_clauses_block(existing, block), encoding="utf-8")
    print(f"{trust_id}: {len(clauses)} clauses written to {args.out}")
    return 0


# --------------------------------------------------------------------------- check-packs


def _policies_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policies-dir", type=Path, default=None, help="defaults to the repo's policies/")


def _check_packs_arguments(parser: argparse.ArgumentParser) -> None:
    _policies_dir_argument(parser)
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="date to compute review status against (YYYY-MM-DD); defaults to today",
    )


def check_packs(args: argparse.Namespace) -> int:
    from bot.policy.checker import check_packs as run_checks
    from bot.policy.packs import load_all_packs

    errors = run_checks(args.policies_dir)
    if errors:
        for error in errors:
            print(error)
        print(f"\n{len(errors)} problem(s) in the policy packs.", file=sys.stderr)
        return 1
    today = args.today or date.today()
    for pack in load_all_packs(args.policies_dir).values():
        print(
            f"{pack.id}: {len(pack.clauses)} clauses, {len(pack.playbooks)} playbooks, "
            f"review due {pack.document.review_due or 'not printed'}: "
            f"{pack.review_status(today)} (as at {today.isoformat()})"
        )
    print("All policy packs pass.")
    return 0


# --------------------------------------------------------------------------- coverage


def _coverage_arguments(parser: argparse.ArgumentParser) -> None:
    _policies_dir_argument(parser)
    parser.add_argument("--write", action="store_true", help="write docs/coverage.md")
    parser.add_argument(
        "--as-at",
        type=date.fromisoformat,
        default=None,
        help="date review statuses are computed against (YYYY-MM-DD); defaults to the date "
        "already in docs/coverage.md, or today for a new file",
    )
    parser.add_argument("--out", type=Path, default=None, help="defaults to docs/coverage.md")


def coverage(args: argparse.Namespace) -> int:
    from bot.policy import coverage as coverage_report

    out = args.out or coverage_report.DEFAULT_COVERAGE_PATH
    as_at = args.as_at or coverage_report.read_as_at(out) or date.today()
    text = coverage_report.render_coverage(as_at, args.policies_dir)
    if args.write:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out} (review status as at {as_at.isoformat()})")
    else:
        sys.stdout.write(text)
    return 0


# --------------------------------------------------------------------------- dispatch


# --------------------------------------------------------------------------- build and train


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    return None


def _train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help="train even if nothing changed")


def build_nlu(args: argparse.Namespace) -> int:
    from bot.build import ensure_nlu_pipeline

    print("spaCy pipeline rebuilt" if ensure_nlu_pipeline() else "spaCy pipeline is up to date")
    return 0


def train(args: argparse.Namespace) -> int:
    from bot.build import train as train_model

    return train_model(force=args.force)


def nlu_report(args: argparse.Namespace) -> int:
    from bot.build import train as train_model

    trained = train_model()
    if trained != 0:
        return trained
    from bot.rasa_ext.main import quiet_environment, silence_dependency_warnings

    quiet_environment()
    silence_dependency_warnings()
    from bot.rasa_ext.nlu_report import main

    return main()


def gen_rasa(args: argparse.Namespace) -> int:
    from bot.rasa_files import write

    changed = write()
    print("\n".join(f"wrote {p}" for p in changed) or "Rasa files are up to date")
    return 0


def _teams_app_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--app-id", required=True, help="the Azure Bot's Microsoft App ID")
    parser.add_argument("--endpoint", required=True, help="https://<host>/webhooks/teams/webhook")
    parser.add_argument("--out", type=Path, default=Path("build/teams-app.zip"))
    parser.add_argument("--privacy-url", required=True, help="https URL of the Trust's privacy notice")
    parser.add_argument("--team-scope", action="store_true", help="also allow team channels")


def teams_app(args: argparse.Namespace) -> int:
    from bot.teams_app import build_app_package

    try:
        path = build_app_package(
            args.app_id, args.endpoint, args.out, privacy_url=args.privacy_url, team_scope=args.team_scope
        )
    except ValueError as error:
        print(f"teams-app: {error}", file=sys.stderr)
        return 2
    print(f"wrote {path}: upload it in the Teams admin centre (docs/teams.md)")
    return 0


def _purge_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--older-than",
        type=float,
        default=None,
        metavar="DAYS",
        help="delete conversation events older than DAYS (default: BOT_RETENTION_DAYS, else 30)",
    )
    parser.add_argument("--db-url", default=None, help="database URL (default: BOT_DB_URL)")


def purge(args: argparse.Namespace) -> int:
    """Retention (review S5): run daily, e.g. from cron or a Kubernetes CronJob."""
    from bot.rasa_ext.stores import purge as purge_old
    from bot.rasa_ext.stores import retention_days

    days = retention_days() if args.older_than is None else args.older_than
    if days < 0:
        print("purge: --older-than must be 0 or more days", file=sys.stderr)
        return 2
    deleted = purge_old(days, url=args.db_url)
    counts = ", ".join(f"{n} from {table}" for table, n in deleted.items()) or "nothing to delete"
    print(f"purged rows older than {days:g} days: {counts}")
    return 0


def _privacy_doc_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--write", action="store_true", help="write docs/privacy.md (else print it)")


def privacy_doc(args: argparse.Namespace) -> int:
    from bot.privacy_doc import PRIVACY_DOC, render

    text = render()
    if args.write:
        PRIVACY_DOC.write_text(text, encoding="utf-8")
        print(f"wrote {PRIVACY_DOC}")
    else:
        print(text, end="")
    return 0


COMMANDS: dict[str, Command] = {
    "import-policy": Command(
        "turn a policy's plain text into a pack's clauses", _import_policy_arguments, import_policy
    ),
    "check-packs": Command(
        "check every policy pack against policies/SCHEMA.md", _check_packs_arguments, check_packs
    ),
    "coverage": Command("scenario × Trust coverage report (docs/coverage.md)", _coverage_arguments, coverage),
    "build-nlu": Command("build the blank spaCy pipeline in build/", _no_arguments, build_nlu),
    "train": Command("train models/assistant.tar.gz if its inputs changed", _train_arguments, train),
    "gen-rasa": Command(
        "generate domain/scenarios.yml and data/rules/respond.yml from the catalog", _no_arguments, gen_rasa
    ),
    "teams-app": Command("write the Teams app package (manifest and icons)", _teams_app_arguments, teams_app),
    "nlu-report": Command("held-out NLU precision, recall, F1 and confusions", _no_arguments, nlu_report),
    "purge": Command("delete conversations older than the retention period", _purge_arguments, purge),
    "privacy-doc": Command(
        "docs/privacy.md from the storage allow-list", _privacy_doc_arguments, privacy_doc
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="command")
    for name, command in COMMANDS.items():
        sub = subparsers.add_parser(name, help=command.help, description=command.help)
        command.add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command].run(args)
