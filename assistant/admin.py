"""Document administration for the admin page and `/api/admin`: add, list, delete, rebuild.

`DocumentAdmin` does what `planqa add/remove/ingest` do, for a running server: files are read and
checked first (nothing is written for a bad one), the manifest is rewritten atomically, and the
index is rebuilt in one background job at a time. Answers keep coming from the live build until
the new one is switched in (`Runtime.ingest`); a document is live from then on, and `status()`
says which step the job is at.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.settings import Settings
from retrieval.errors import PlanqaError

log = logging.getLogger("planqa.admin")


@dataclass
class Job:
    """The one background build: what it is for, where it is and how it ended."""

    id: int
    action: str  # add | remove | rebuild
    doc_ids: list[str]
    state: str = "running"  # running | done | failed
    step: str = "indexing"
    progress: float = 0.1
    message: str = ""
    started: float = field(default_factory=time.time)
    finished: float | None = None


class DocumentAdmin:
    def __init__(self, settings: Settings, service):
        self.settings = settings
        self.service = service  # the Runtime (anything with ingest())
        self._lock = threading.Lock()
        self._jobs: list[Job] = []
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ reading

    def documents(self) -> list[dict]:
        from assistant.documents import document_summaries, indexed_documents

        live = indexed_documents(self.settings)
        return [asdict(s) | {"live": s.doc_id in live} for s in document_summaries(self.settings)]

    def status(self) -> dict:
        job = self._jobs[-1] if self._jobs else None
        return {"busy": self.busy, "job": asdict(job) if job else None}

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ------------------------------------------------------------ changing

    def add(self, files: list[tuple[str, Path]], overrides: dict) -> list[dict]:
        """Check and add uploaded files (name as uploaded, where it was saved); start the build."""
        from assistant.documents import prepare_all
        from retrieval.library import add_documents

        with self._lock:
            self._refuse_if_busy()
            named = []
            for name, path in files:
                target = path.with_name(Path(name).name or "upload")
                path.replace(target)
                named.append(str(target))
            candidates = prepare_all(self.settings, named, overrides)
            add_documents(self.settings.corpus_dir, candidates)
            self._start("add", [c.entry.doc_id for c in candidates])
        return [asdict(c.summary) | {"live": False} for c in candidates]

    def remove(self, doc_id: str) -> dict:
        from retrieval.library import remove_document

        with self._lock:
            self._refuse_if_busy()
            entry = remove_document(self.settings.corpus_dir, doc_id)
            job = self._start("remove", [entry.doc_id])
        return {"doc_id": entry.doc_id, "title": entry.title, "job": job.id}

    def rebuild(self) -> dict:
        with self._lock:
            self._refuse_if_busy()
            job = self._start("rebuild", [])
        return {"job": job.id}

    def wait(self, timeout: float = 600.0) -> Job | None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self._jobs[-1] if self._jobs else None

    def _refuse_if_busy(self) -> None:
        if self.busy:
            raise AdminBusy("正在重建索引：请等当前任务完成后再操作（GET /api/admin/status 查看进度）")

    def _start(self, action: str, doc_ids: list[str]) -> Job:
        job = Job(len(self._jobs) + 1, action, doc_ids)
        self._jobs = [*self._jobs[-9:], job]
        self._thread = threading.Thread(
            target=self._run, args=(job,), name=f"planqa-admin-{job.id}", daemon=True
        )
        self._thread.start()
        return job

    def _run(self, job: Job) -> None:
        try:
            job.step, job.progress = "reading and indexing", 0.3
            report = self.service.ingest(rebuild=False)
            job.step, job.progress, job.state = "live", 1.0, "done"
            job.message = f"文档 {report.documents} 份，段落 {report.chunks} 个（新增/更新 {report.added}，删除 {report.removed}）"
        except PlanqaError as exc:
            job.state, job.message = "failed", str(exc)
        except Exception as exc:  # logged in full here; the page shows one line
            log.exception("admin job %s failed", job.id)
            job.state, job.message = (
                "failed",
                f"{type(exc).__name__}: 重建失败，旧索引仍在服务；请查看服务器日志",
            )
        finally:
            job.finished = time.time()


class AdminBusy(PlanqaError):
    """A second change while a build is running (HTTP 409)."""
