"""A parsed document as a tree of sections with their 专栏 and tables (for `planqa sections`)."""

from __future__ import annotations

from retrieval.parse import ParsedDocument


def section_tree(doc: ParsedDocument) -> list[dict]:
    """Flat, ordered list of sections; each knows its depth, path, 专栏 and tables."""
    nodes: dict[tuple[str, ...], dict] = {}
    order: list[dict] = []

    def node(path: tuple[str, ...]) -> dict:
        if path not in nodes:
            nodes[path] = {
                "heading": path[-1] if path else "",
                "path": list(path),
                "depth": len(path),
                "columns": [],
                "tables": [],
            }
            order.append(nodes[path])
        return nodes[path]

    for block in doc.blocks:
        here = node(block.section_path)
        if block.kind == "table" and block.table is not None:
            t = block.table
            width = len(t.header) or max((len(r) for r in t.rows), default=0)
            here["tables"].append(
                {
                    "title": t.title,
                    "header": t.header,
                    "rows": len(t.rows),
                    "columns": width,
                    "column": block.column,
                }
            )
    for column in doc.columns:
        node(column.section_path)["columns"].append(
            {"label": column.label, "parts": column.parts, "tables": column.tables}
        )
    return [n for n in order if n["path"] or n["tables"] or n["columns"]]


def format_tree(doc: ParsedDocument) -> str:
    lines = [f"{doc.entry.title} ({doc.entry.doc_id})"]
    for n in section_tree(doc):
        pad = "  " * n["depth"]
        lines.append(f"{pad}{n['heading'] or '（正文开头）'}")
        for c in n["columns"]:
            parts = f" [{'/'.join(p[0] for p in c['parts'])}]" if c["parts"] else ""
            lines.append(f"{pad}  ▣ {c['label']}{parts}")
        for t in n["tables"]:
            lines.append(f"{pad}  ▦ {t['title'] or '表'}: {t['rows']} 行 × {t['columns']} 列")
    return "\n".join(lines)
