"""`planqa`: the command line. Each subcommand prints one line on error and exits non-zero.

The command line is the top of the composition (corpus → retrieval → assistant → ui/evals →
planqa.cli): it wires the stages' own entry points together and nothing below imports it.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from assistant.llm_serve import add_llm_serve_parser
from evals.cli import add_eval_parser
from planqa.cli.commands import register_ask, register_ingest, register_search, register_serve
from planqa.cli.documents import register_documents
from planqa.cli.report import add_report_parser
from retrieval.errors import PlanqaError


def _json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def cmd_sections(args, settings) -> None:
    from retrieval.corpus import find_entry, load_document, load_manifest
    from retrieval.sections import format_tree, section_tree

    doc = load_document(settings.corpus_dir, find_entry(load_manifest(settings.corpus_dir), args.doc_id))
    if args.json:
        _json({"doc_id": doc.entry.doc_id, "title": doc.entry.title, "metadata": doc.metadata, "sections": section_tree(doc)})
    else:
        print(format_tree(doc))


def cmd_chunks(args, settings) -> None:
    from retrieval.chunker import chunk_document
    from retrieval.corpus import find_entry, load_document, load_manifest

    doc = load_document(settings.corpus_dir, find_entry(load_manifest(settings.corpus_dir), args.doc_id))
    chunks = chunk_document(doc, settings.chunk_tokens)
    if args.json:
        _json([c.model_dump() for c in chunks])
        return
    for c in chunks:
        where = c.section + (f" ▣ {c.column}" if c.column else "")
        print(f"[{c.chunk_id}] {c.kind} {c.char_start}-{c.char_end} {where}\n  {c.text[:120].replace(chr(10), ' ⏎ ')}")


# After `sections` and `chunks`, in the order `planqa --help` lists them.
SUBCOMMANDS = (
    register_ingest,
    register_search,
    register_ask,
    register_serve,
    add_eval_parser,
    add_report_parser,
    register_documents,
    add_llm_serve_parser,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="planqa", description="规划问答：江苏科技规划的引用式问答")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("sections", help="print a document's section tree (headings, 专栏, tables)")
    p.add_argument("doc_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sections)

    p = sub.add_parser("chunks", help="print a document's chunks with all fields")
    p.add_argument("doc_id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_chunks)

    for register in SUBCOMMANDS:
        register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        from assistant.settings import load_settings

        settings = load_settings()
        result = args.func(args, settings)
        return int(result or 0)
    except PlanqaError as exc:
        print(f"planqa: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # disk full, permissions: the index is left as it was (see retrieval.index)
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"planqa: {exc.strerror or exc}{where}; nothing was changed, fix this and run the command again", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("planqa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
