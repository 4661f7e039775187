"""The retrieval API the rest of the app uses: names and signatures that must not drift silently."""

import importlib
import inspect

import pytest

PUBLIC = {
    "retrieval.embeddings": {
        "Embedder",
        "E5Embedder",
        "OpenAIEmbedder",
        "HashEmbedder",
        "load_embedder",
        "VALID_SPECS",
    },
    "retrieval.index": {"ingest", "open_index", "IngestReport", "content_hash", "chunk_tokens"},
    "retrieval.hybrid": {"HybridRetriever", "hit_to_document", "Mode", "MODES"},
    "retrieval.query": {
        "normalize_query",
        "expand_aliases",
        "prepare_query",
        "weighted_tokens",
        "PreparedQuery",
    },
    "retrieval.fusion": {"reciprocal_rank_fusion", "lead", "Fused", "RRF_K"},
    "retrieval.keyword": {"KeywordIndex"},
    "retrieval.dense": {"DenseIndex", "chroma_client", "where_filter", "check_embedder"},
    "retrieval.segment": {"tokenize", "words", "bigrams", "normalize_text", "signature"},
    "retrieval.terms": {"extract_policy_terms", "load_policy_terms", "load_aliases", "dictionary_terms"},
    "retrieval.thesaurus": {
        "Thesaurus",
        "default_thesaurus",
        "normalise_question",
        "expansions",
        "canonical",
        "synonyms",
    },
    "retrieval.thesaurus_file": {
        "Kind",
        "Entry",
        "load_entries",
        "extract_definitions",
        "corpus_definitions",
    },
    "retrieval.builds": {"current_build", "current_build_id", "BuildInfo"},
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_exported_members(module):
    mod = importlib.import_module(module)
    assert PUBLIC[module] <= set(mod.__all__)
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.__all__ names a missing {name}"


def test_signatures_the_app_calls():
    from retrieval.hybrid import HybridRetriever
    from retrieval.index import ingest, open_index

    search = inspect.signature(HybridRetriever.search).parameters
    assert list(search)[1:] == ["query", "k", "doc_ids", "level", "region", "kinds", "columns_only"]
    assert list(inspect.signature(ingest).parameters) == [
        "chunks",
        "index_dir",
        "embedder",
        "rebuild",
        "progress",
        "chroma_url",
        "derive",
    ]
    assert list(inspect.signature(open_index).parameters)[:3] == ["index_dir", "embedder", "chroma_url"]
