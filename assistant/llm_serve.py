"""`planqa llm-serve`: the local model (see assistant.llm_local) behind an OpenAI-compatible HTTP
server on loopback, for `PLANQA_LLM=openai:qwen2.5-coder-1.5b`.

llama.cpp's own server (through xllamacpp) answers /v1/chat/completions (streaming too),
/v1/models and /health. It binds 127.0.0.1 only: it has no authentication of its own.
Registered into the CLI with `add_llm_serve_parser(subparsers)`.
"""

from __future__ import annotations

import signal
import threading

from assistant.llm_local import MODEL_NAME, installed_model, missing, settings_lines
from retrieval.errors import ConfigError

DEFAULT_PORT = 8001
# room for the prompt (system + PLANQA_LLM_PASSAGES excerpts + question, ~1,500 tokens) and the answer
CONTEXT_TOKENS = 4096


def server_params(model_file: str, port: int, threads: int, context: int = CONTEXT_TOKENS, parallel: int = 1):
    """xllamacpp.CommonParams for a loopback server of `model_file`."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = model_file
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = context * parallel  # llama.cpp splits the context between the parallel slots
    params.n_parallel = parallel
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.model_alias = {MODEL_NAME}
    params.sampling.temp = 0.0
    params.warmup = False  # a warm-up decode costs seconds on 2 cores and proves nothing
    return params


def start_server(settings, port: int, threads: int, parallel: int = 1):
    """Start the server (in this process, on llama.cpp's threads); return it. Raises ConfigError
    with the command to run when the runtime or the weights are missing."""
    problem = missing(settings.llm_cache_dir)
    if problem:
        raise ConfigError(problem)
    import xllamacpp

    return xllamacpp.Server(
        server_params(str(installed_model(settings.llm_cache_dir)), port, threads, parallel=parallel)
    )


def cmd_llm_serve(args, settings) -> None:
    if not 1 <= args.port <= 65535:
        raise ConfigError(f"--port {args.port} is not a port number")
    server = start_server(settings, args.port, args.threads, args.parallel)
    print(
        f"llm-serve: {MODEL_NAME} at {server.listening_address}/v1 (loopback only); Ctrl-C stops it",
        flush=True,
    )
    print("use:  " + " ".join(settings_lines(args.port)), flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    print("llm-serve: stopped", flush=True)


def add_llm_serve_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "llm-serve", help="serve the local model (make llm-local) over an OpenAI-compatible API on 127.0.0.1"
    )
    p.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT})"
    )
    p.add_argument("--threads", type=int, default=2, help="CPU threads for the model (default 2)")
    p.add_argument(
        "--parallel", type=int, default=1, help="answers decoded at once (default 1; each shares the CPU)"
    )
    p.set_defaults(func=cmd_llm_serve)
