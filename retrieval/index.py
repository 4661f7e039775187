"""Build the search indexes from chunks (`ingest`) and open them for searching (`open_index`).

Ingest is incremental and atomic. Chunks whose `search_text` is unchanged (same content hash,
same embedder) reuse their stored vectors; only new or changed chunks are embedded. The new state
is written into a fresh build folder (and a fresh Chroma collection), the ready marker last, and
then `current.json` is switched with one atomic rename. An error or a crash before the switch
leaves the previous build answering queries. After a switch, builds other than the new and the
previous one are deleted.

Copying the previous vectors through Chroma's API, rather than copying its folder, keeps a build
consistent however Chroma persists its segments, and works the same on a Chroma server.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, TypeAdapter

from retrieval import grams, segment
from retrieval import keyword as keyword_module
from retrieval.builds import (
    BuildInfo,
    builds_dir,
    current_build,
    ingest_lock,
    new_build_id,
    remove_tree,
    require_current_build,
    stale_builds,
    switch_current,
    write_build_info,
    write_json,
)
from retrieval.dense import REBUILD_HINT, DenseIndex, check_embedder, chroma_client
from retrieval.embeddings import Embedder
from retrieval.errors import IndexUnavailable, PlanqaError
from retrieval.hybrid import HybridRetriever
from retrieval.keyword import KeywordIndex
from retrieval.models import Chunk
from retrieval.thesaurus import CORPUS_NAMES_FILE, CORPUS_TEXT_FILE, corpus_text, default_thesaurus

log = logging.getLogger("planqa.index")

LOCAL_COLLECTION = "planqa"
# what the layers above add to a build: derive(build_dir, chunks), before the ready marker
Derive = Callable[[Path, Sequence[Chunk]], None]
# the build's vectors in chunk order, for exact search within a filter (retrieval.hybrid)
VECTORS_FILE = "vectors.npy"
# chunks.json parsed and validated in one pass by pydantic-core (at 500 plans json.loads plus a
# model_validate per chunk took seconds)
_CHUNK_LIST = TypeAdapter(list[Chunk])


class IngestReport(BaseModel):
    documents: int
    chunks: int
    added: int  # chunks embedded (new or changed text)
    removed: int  # chunk ids no longer present
    unchanged: int  # chunks whose stored vector was reused
    seconds: float
    build: str = ""


# The dense side embeds the address and the opening of a chunk: e5's cost grows faster than the
# text, and the keyword index already sees every word (cold ingest about 2x faster at 192 characters than whole chunks).
EMBED_CHARS = 192


def embedding_text(chunk: Chunk) -> str:
    return chunk.search_text[:EMBED_CHARS]


def content_hash(chunk: Chunk) -> str:
    """What decides whether a chunk must be embedded again."""
    return hashlib.sha1(embedding_text(chunk).encode("utf-8")).hexdigest()


# A chunk's context (plan title, section path, 专栏 and table titles) names what the passage is
# about; counting its tokens twice (a BM25F-style field weight) ranked the expected section first
# more often in evals/ (hit@1 0.88 → 0.91 for BM25 alone).
CONTEXT_REPEAT = 2


def chunk_tokens(chunk: Chunk) -> list[str]:
    """The tokens the keyword index holds for a chunk: context tokens twice, then the text's."""
    return segment.tokenize(chunk.context) * CONTEXT_REPEAT + segment.tokenize(chunk.text)


def _keyword_signature() -> str:
    """Changes when the keyword index would: tokenisation, field weights or BM25 parameters."""
    return f"{segment.signature()}|ctx={CONTEXT_REPEAT}|k1={keyword_module.K1}|b={keyword_module.B}"


def _digest(chunks: Sequence[Chunk], spec: str, chroma_url: str | None) -> str:
    digest = hashlib.sha1(f"{spec}|{chroma_url or ''}|{_keyword_signature()}".encode())
    for chunk in chunks:
        digest.update(chunk.model_dump_json().encode("utf-8"))
    return digest.hexdigest()


def _collection_name(build_id: str, chroma_url: str | None) -> str:
    return f"planqa-{build_id}" if chroma_url else LOCAL_COLLECTION


def _client_for(build_dir: Path, chroma_url: str | None):
    return chroma_client(url=chroma_url) if chroma_url else chroma_client(path=build_dir / "chroma")


def _check_chunks(chunks: Sequence[Chunk]) -> None:
    if not chunks:
        raise PlanqaError("没有可索引的文本：请检查语料目录（PLANQA_CORPUS_DIR）和 manifest.json")
    seen: set[str] = set()
    for chunk in chunks:
        if chunk.chunk_id in seen:
            raise PlanqaError(f"文本块编号重复：{chunk.chunk_id}（请检查分块程序）")
        seen.add(chunk.chunk_id)


def _reusable_vectors(
    previous: tuple[Path, BuildInfo] | None, embedder: Embedder, chroma_url: str | None, hashes: list[str]
) -> dict[str, np.ndarray]:
    """Stored vectors of the previous build by content hash, when it used the same embedder."""
    if previous is None:
        return {}
    build_dir, info = previous
    same_model = info.embedding_spec == embedder.spec and embedder.dim in (None, info.embedding_dim)
    if not same_model or info.chroma_url != chroma_url:
        return {}
    wanted = set(hashes)
    id_of_hash = {h: chunk_id for chunk_id, h in info.hashes.items() if h in wanted}
    try:
        dense = DenseIndex.open(_client_for(build_dir, chroma_url), info.collection)
        stored = dense.vectors(list(id_of_hash.values()))
    except PlanqaError as exc:
        log.warning("previous build unreadable, embedding everything: %s", exc)
        return {}
    return {h: stored[i] for h, i in id_of_hash.items() if i in stored}


def _vectors(
    chunks: Sequence[Chunk],
    hashes: list[str],
    reusable: dict[str, np.ndarray],
    embedder: Embedder,
    progress: bool,
    previous: tuple[Path, BuildInfo] | None,
) -> tuple[np.ndarray, int]:
    """One vector per chunk, reused where possible; returns them and how many were embedded."""
    to_embed = [i for i, h in enumerate(hashes) if h not in reusable]
    fresh = embedder.document_vectors([embedding_text(chunks[i]) for i in to_embed], progress=progress)
    dim = embedder.dim or (previous[1].embedding_dim if previous else 0)
    vectors = np.zeros((len(chunks), dim), dtype=np.float32)
    if to_embed:
        vectors[to_embed] = fresh
    for i, h in enumerate(hashes):
        if h in reusable:
            vectors[i] = reusable[h]
    return vectors, len(to_embed)


def _write_build(
    build_dir: Path,
    build_id: str,
    collection: str,
    chunks: Sequence[Chunk],
    hashes: list[str],
    vectors: np.ndarray,
    spec: str,
    chroma_url: str | None,
    digest: str,
    derive: Derive | None = None,
) -> None:
    """Fill a new build: vectors, keyword index, chunks, what `derive` adds, the ready marker last."""
    dense = DenseIndex.create(_client_for(build_dir, chroma_url), collection, spec, vectors.shape[1])
    dense.add(list(chunks), vectors, hashes)
    keyword = KeywordIndex.build(
        [c.chunk_id for c in chunks],
        (chunk_tokens(c) for c in chunks),
        signature=_keyword_signature(),
    )
    keyword.save(build_dir / "keyword.json")
    write_json(build_dir / "chunks.json", [c.model_dump(mode="json") for c in chunks])
    np.save(build_dir / VECTORS_FILE, np.ascontiguousarray(vectors, dtype=np.float32))
    folded = corpus_text(c.text for c in chunks)
    (build_dir / CORPUS_TEXT_FILE).write_text(folded, encoding="utf-8")
    write_json(build_dir / CORPUS_NAMES_FILE, default_thesaurus().with_folded_corpus(folded).names_in_corpus())
    if derive is not None:
        derive(build_dir, chunks)
    grams.save_counts(build_dir, *grams.count_passages(c.search_text for c in chunks))
    info = BuildInfo(
        build=build_id,
        embedding_spec=spec,
        embedding_dim=int(vectors.shape[1]),
        collection=collection,
        chroma_url=chroma_url,
        tokenizer=_keyword_signature(),
        digest=digest,
        hashes={c.chunk_id: h for c, h in zip(chunks, hashes, strict=True)},
        documents=list(dict.fromkeys(c.doc_id for c in chunks)),
    )
    write_build_info(build_dir, info)


def ingest(
    chunks: Sequence[Chunk],
    index_dir: Path | str,
    embedder: Embedder,
    rebuild: bool = False,
    progress: bool = True,
    chroma_url: str | None = None,
    derive: Derive | None = None,
) -> IngestReport:
    """Index `chunks` (all chunks of the corpus) into `index_dir`; see the module docstring.

    `derive(build_dir, chunks)` writes what the layers above keep in a build (the answerer's
    table names), before the build is marked ready."""
    started = time.perf_counter()
    index_dir = Path(index_dir)
    _check_chunks(chunks)
    documents = len({c.doc_id for c in chunks})
    with ingest_lock(index_dir):
        previous = current_build(index_dir)
        hashes = [content_hash(c) for c in chunks]
        digest = _digest(chunks, embedder.spec, chroma_url)
        if previous is not None and not rebuild and previous[1].digest == digest:
            return IngestReport(
                documents=documents,
                chunks=len(chunks),
                added=0,
                removed=0,
                unchanged=len(chunks),
                seconds=time.perf_counter() - started,
                build=previous[1].build,
            )
        reusable = {} if rebuild else _reusable_vectors(previous, embedder, chroma_url, hashes)
        build_id = new_build_id()
        build_dir = builds_dir(index_dir) / build_id
        build_dir.mkdir(parents=True)
        collection = _collection_name(build_id, chroma_url)
        try:
            vectors, embedded = _vectors(chunks, hashes, reusable, embedder, progress, previous)
            _write_build(
                build_dir,
                build_id,
                collection,
                chunks,
                hashes,
                vectors,
                embedder.spec,
                chroma_url,
                digest,
                derive,
            )
        except BaseException:
            _discard(build_dir, collection, chroma_url)
            raise
        switch_current(index_dir, build_id)
        keep = {build_id} | ({previous[1].build} if previous else set())
        _cleanup(index_dir, keep, chroma_url)
    previous_ids = set(previous[1].hashes) if previous else set()
    return IngestReport(
        documents=documents,
        chunks=len(chunks),
        added=embedded,
        removed=len(previous_ids - {c.chunk_id for c in chunks}),
        unchanged=len(chunks) - embedded,
        seconds=time.perf_counter() - started,
        build=build_id,
    )


def _discard(build_dir: Path, collection: str, chroma_url: str | None) -> None:
    """Best-effort removal of a build that failed; the next ingest retries what is left."""
    if chroma_url:
        try:
            chroma_client(url=chroma_url).delete_collection(collection)
        except Exception:  # the collection may never have been created
            pass
    remove_tree(build_dir)


def _cleanup(index_dir: Path, keep: set[str], chroma_url: str | None) -> None:
    for path in stale_builds(index_dir, keep):
        info_path = path / "build.json"
        try:
            info = json.loads(info_path.read_text(encoding="utf-8")) if info_path.is_file() else {}
        except ValueError:
            info = {}
        if info.get("chroma_url"):
            try:
                chroma_client(url=info["chroma_url"]).delete_collection(info["collection"])
            except Exception as exc:
                log.warning("could not delete old collection %s: %s", info.get("collection"), exc)
        remove_tree(path)


def open_index(
    index_dir: Path | str,
    embedder: Embedder,
    chroma_url: str | None = None,
    **options,
) -> HybridRetriever:
    """A ready HybridRetriever over the current build; `options` are retriever fields (k, weights...).

    Raises IndexUnavailable when there is no index, it is incomplete, or it was built with another
    embedder or for another Chroma location.
    """
    index_dir = Path(index_dir)
    build_dir, info = require_current_build(index_dir)
    if (info.chroma_url or None) != (chroma_url or None):
        where = f"Chroma 服务 {info.chroma_url}" if info.chroma_url else "本地目录"
        raise IndexUnavailable(f"索引建在{where}，与当前设置（PLANQA_CHROMA_URL）不符：{REBUILD_HINT}")
    check_embedder(info.embedding_spec, info.embedding_dim, embedder.spec, embedder.dim)
    try:
        chunks = _CHUNK_LIST.validate_json((build_dir / "chunks.json").read_bytes())
        keyword = KeywordIndex.load(build_dir / "keyword.json")
    except (OSError, ValueError) as exc:
        raise IndexUnavailable(f"索引文件损坏（{exc.__class__.__name__}）：{REBUILD_HINT}") from None
    if keyword.signature != _keyword_signature():
        # Tokenisation or BM25 parameters changed since the build: rebuild it (a second or two).
        log.info("keyword index of build %s is stale; rebuilding it in memory", info.build)
        keyword = KeywordIndex.build(
            [c.chunk_id for c in chunks],
            (chunk_tokens(c) for c in chunks),
            signature=_keyword_signature(),
        )
    dense = DenseIndex.open(_client_for(build_dir, chroma_url), info.collection)
    dense.check(embedder.spec, embedder.dim)
    vectors = _stored_vectors(build_dir, len(chunks), dense.dim)
    try:  # the typo check's corpus text, folded at ingest (folding 500 plans took 2.5 s)
        folded = (build_dir / CORPUS_TEXT_FILE).read_text(encoding="utf-8")
        thesaurus = default_thesaurus().with_folded_corpus(folded, _stored_names(build_dir))
    except OSError:
        thesaurus = None  # the retriever folds the chunks' text itself
    # Load jieba and Chroma's vector segment now, not on the first question.
    segment.words("预热")
    dense.search(np.full(dense.dim, dense.dim**-0.5, dtype=np.float32), 1)
    return HybridRetriever(
        embedder=embedder,
        dense=dense,
        keyword=keyword,
        chunks=chunks,
        build_id=info.build,
        vectors=vectors,
        thesaurus=thesaurus,
        **options,
    )


def _stored_names(build_dir: Path) -> dict[str, bool] | None:
    try:
        names = json.loads((build_dir / CORPUS_NAMES_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(names, dict):
        return None
    return {str(k): v for k, v in names.items() if isinstance(v, bool)}


def _stored_vectors(build_dir: Path, n: int, dim: int) -> np.ndarray | None:
    """The build's vectors, memory-mapped (pages load as searches touch them), or None when the
    build has none of the right shape (one made before they were stored)."""
    try:
        vectors = np.load(build_dir / VECTORS_FILE, mmap_mode="r")
    except (OSError, ValueError):
        return None
    return vectors if vectors.shape == (n, dim) and vectors.dtype == np.float32 else None


__all__ = ["ingest", "open_index", "IngestReport", "content_hash", "chunk_tokens"]
