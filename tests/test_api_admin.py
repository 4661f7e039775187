"""`/api/admin/documents` through a real server: uploads, parse summaries, going live, deleting,
and refusals (no key 401, wrong key 403, administration off 403, bad files 422, too large 413)."""

from __future__ import annotations

import httpx
import pytest

from tests.admin_fixtures import ADMIN_KEY, LINJIANG, admin_runtime
from tests.api_fakes import live_server
from ui.app import create_app

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
QUESTION = "临江市设立的科创母基金规模是多少？"


@pytest.fixture
def served(tmp_path):
    runtime = admin_runtime(tmp_path, max_upload_mb=1)
    with live_server(create_app(runtime.settings, runtime)) as url:
        yield url, runtime


def wait_live(client) -> dict:
    while (status := client.get("/api/admin/status", headers=ADMIN).json())["busy"]:
        pass
    return status


def test_an_upload_goes_live_and_a_delete_takes_it_away(served):
    url, runtime = served
    with httpx.Client(base_url=url, timeout=60) as client:
        before = client.post("/api/ask", json={"question": QUESTION}).json()
        assert all(c["doc_id"] != "linjiang-style-15fyp" for c in before["citations"])

        files = [("files", ("linjiang-style-15fyp.txt", LINJIANG.read_bytes(), "text/plain"))]
        r = client.post("/api/admin/documents", files=files, data={"period": "2026-2030"}, headers=ADMIN)
        assert r.status_code == 202, r.text
        added = r.json()["added"][0]
        assert (added["doc_id"], added["sections"], added["columns"], added["tables"]) == (
            "linjiang-style-15fyp",
            15,
            2,
            1,
        )
        assert added["live"] is False
        status = wait_live(client)
        assert status["job"]["state"] == "done", status

        docs = {d["doc_id"]: d for d in client.get("/api/admin/documents", headers=ADMIN).json()["documents"]}
        assert (
            docs["linjiang-style-15fyp"]["live"] is True
            and docs["linjiang-style-15fyp"]["region"] == "临江市"
        )
        assert "linjiang-style-15fyp" in {
            d["doc_id"] for d in client.get("/api/documents").json()["documents"]
        }
        answer = client.post("/api/ask", json={"question": QUESTION}).json()
        assert "100亿元" in answer["answer"]
        assert any(c["doc_id"] == "linjiang-style-15fyp" for c in answer["citations"])

        r = client.delete("/api/admin/documents/linjiang-style-15fyp", headers=ADMIN)
        assert r.status_code == 202, r.text
        assert wait_live(client)["job"]["state"] == "done"
        answer = client.post("/api/ask", json={"question": QUESTION}).json()
        assert "100亿元" not in answer["answer"]
        assert all(c["doc_id"] != "linjiang-style-15fyp" for c in answer["citations"])
        assert client.delete("/api/admin/documents/linjiang-style-15fyp", headers=ADMIN).status_code == 404


def test_refusals_are_json_and_change_nothing(served):
    url, runtime = served
    manifest = (runtime.settings.corpus_dir / "manifest.json").read_bytes()
    files = [("files", ("plan.txt", LINJIANG.read_bytes(), "text/plain"))]
    with httpx.Client(base_url=url, timeout=60) as client:
        assert client.get("/api/admin/documents").status_code == 401
        r = client.post("/api/admin/documents", files=files)
        assert r.status_code == 401 and "管理员密钥" in r.json()["detail"]
        assert (
            client.post(
                "/api/admin/documents", files=files, headers={"Authorization": "Bearer nope"}
            ).status_code
            == 403
        )
        assert client.delete("/api/admin/documents/mini-plan").status_code == 401

        bad = [("files", ("empty.pdf", b"", "application/pdf"))]
        r = client.post("/api/admin/documents", files=bad, headers=ADMIN)
        assert r.status_code == 422 and "empty.pdf" in r.json()["detail"]
        lie = [("files", ("plan.docx", LINJIANG.read_bytes(), "application/octet-stream"))]
        r = client.post("/api/admin/documents", files=lie, headers=ADMIN)
        assert r.status_code == 422 and "plan.docx" in r.json()["detail"]
        big = [("files", ("big.txt", LINJIANG.read_bytes() * 600, "text/plain"))]  # over 1 MB
        r = client.post("/api/admin/documents", files=big, headers=ADMIN)
        assert r.status_code == 413 and "big.txt" in r.json()["detail"]
        r = client.post("/api/admin/documents", files=big)  # without a key: refused before reading it
        assert r.status_code == 413
        r = client.post("/api/admin/documents", files=files, data={"level": "galaxy"}, headers=ADMIN)
        assert r.status_code == 422 and "--level" in r.json()["detail"]
    assert (runtime.settings.corpus_dir / "manifest.json").read_bytes() == manifest


def test_administration_is_off_without_admin_keys(tmp_path):
    runtime = admin_runtime(tmp_path)
    settings = runtime.settings.model_copy(update={"admin_keys": []})
    with live_server(create_app(settings, runtime)) as url:
        r = httpx.get(f"{url}/api/admin/documents", headers=ADMIN)
        assert r.status_code == 403 and "PLANQA_ADMIN_KEYS" in r.json()["detail"]
        assert httpx.get(f"{url}/admin").status_code == 200  # the page itself holds no data
