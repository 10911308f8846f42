"""The HTTP server: exact outputs per endpoint, limits and errors, LibreTranslate clients,
schema fuzzing, a bounded load test and SIGTERM during load (loopback addresses only)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest

from ringkas.config import BatchOptions, EngineOptions

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from ringkas import Ringkas, detect_article, extract_article  # noqa: E402
from ringkas.serve import ServeSettings, create_app  # noqa: E402
from ringkas.testing import ID_EN_PAIRS, SUMMARY_PAIRS  # noqa: E402

ID_SENTENCES = [source for source, _ in ID_EN_PAIRS]
ARTICLES = [article for article, _ in SUMMARY_PAIRS]
REPO = Path(__file__).resolve().parents[1]


def plain(results: list[Any]) -> Any:
    """What a list of library results looks like after a JSON round trip."""
    return json.loads(json.dumps([r.to_dict() for r in results]))


def without_timings(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "timings"} for row in rows]


@pytest.fixture(scope="module")
def routes(tiny_models) -> dict[str, str]:
    return {"id-en": str(tiny_models.id_en), "en-id": str(tiny_models.en_id)}


@pytest.fixture(scope="module")
def ringkas(tiny_models, routes) -> Ringkas:
    return Ringkas(
        summary_model=str(tiny_models.summarizer), routes=routes, engine=EngineOptions(device="cpu")
    )


def wait_ready(client: Any) -> None:
    deadline = time.monotonic() + 60
    while client.get("/readyz").status_code != 200:
        assert time.monotonic() < deadline, "models did not load"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def client(ringkas) -> Iterator[TestClient]:
    with TestClient(create_app(ringkas)) as c:
        wait_ready(c)
        yield c


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn_server(
    tiny_models: Any, routes: dict[str, str]
) -> tuple[subprocess.Popen[str], str, int]:
    """``ringkas serve`` in its own process on a free loopback port, once ready; the process,
    its URL and how many /readyz polls it answered. (Its own process: a server thread in the
    test process would share the GIL with the clients and measure that instead.)"""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    route_flags = [f"--route={pair}={path}" for pair, path in routes.items()]
    server = subprocess.Popen(
        [sys.executable, "-m", "ringkas", "serve", "--port", str(port), "--device", "cpu",
         "--summary-model", str(tiny_models.summarizer), "--threads", "1", *route_flags],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )  # fmt: skip
    polls = 0
    deadline = time.monotonic() + 120
    while True:
        if server.poll() is not None:
            raise AssertionError(server.stderr.read() if server.stderr else "server exited")
        try:
            status = httpx.get(f"{url}/readyz").status_code
        except httpx.HTTPError:
            status = 0
        polls += status != 0
        if status == 200:
            return server, url, polls
        if time.monotonic() > deadline:
            server.kill()
            raise AssertionError("the server did not become ready")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def live_server(tiny_models, routes) -> Iterator[str]:
    server, url, _ = spawn_server(tiny_models, routes)
    yield url
    server.terminate()
    server.communicate(timeout=60)


# -- exact outputs ----------------------------------------------------------------------------
def test_translate_equals_the_library(client, ringkas):
    texts = [ID_SENTENCES[0], "The minister visited the port.", ""]
    response = client.post("/v1/translate", json={"texts": texts})
    assert response.status_code == 200
    assert response.json()["results"] == plain(ringkas.translator.translate(texts))
    assert response.json()["results"][0]["text"] == ID_EN_PAIRS[0][1]
    response = client.post(
        "/v1/translate",
        json={
            "texts": ["The minister visited the port."],
            "source_lang": "en",
            "target_lang": "id",
        },
    )
    assert response.json()["results"][0]["text"] == "Menteri mengunjungi pelabuhan."


def test_summarize_equals_the_library(client, ringkas):
    body = {"texts": ARTICLES[:2], "lang": ["id", None]}
    response = client.post("/v1/summarize", json=body)
    assert response.status_code == 200
    expected = ringkas.summarizer.summarize(ARTICLES[:2], lang=["id", None])
    assert response.json()["results"] == plain(expected)
    assert response.json()["results"][0]["text"] == SUMMARY_PAIRS[0][1]


def test_detect_equals_the_library(client):
    texts = [ID_SENTENCES[1], "The national team won by two goals.", "12345"]
    response = client.post("/v1/detect", json={"texts": texts})
    assert response.json()["results"] == plain([detect_article(t) for t in texts])
    assert [r["lang"] for r in response.json()["results"]] == ["id", "en", "und"]


def test_process_equals_the_library_with_errors_in_place(client, ringkas):
    articles: list[Any] = [
        ARTICLES[0],
        {"id": "b", "text": ARTICLES[2], "title": "Harga beras naik minggu ini."},
        {"id": 7, "text": "   "},
        {"text": ARTICLES[4], "lang": "en"},
    ]
    response = client.post("/v1/process", json={"articles": articles})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert without_timings(rows) == without_timings(plain(ringkas.process(articles)))
    assert [r["id"] for r in rows] == ["0", "b", "7", "3"]
    assert rows[1]["title_translation"] == "The price of rice rose this week."
    assert rows[2]["error"]["type"] == "InputError"
    assert rows[0]["summary"] == SUMMARY_PAIRS[0][1]


def test_extract_equals_extract_article(client):
    page = (
        "Beranda | Nasional | Ekonomi\n\nHarga Beras Naik Lagi\n\nPenulis: Ani | Editor: Budi\n\n"
        "JAKARTA, KOMPAS.com - Harga beras naik minggu ini di pasar induk Jakarta.\n\n"
        "Baca juga: Harga cabai turun\n\n"
        "Pedagang mengatakan pasokan dari daerah berkurang karena cuaca buruk."
    )
    html = "<html><body><h1>Harga Beras Naik</h1><p>JAKARTA, KOMPAS.com - Harga beras naik.</p>"
    for source, fmt in ((page, "auto"), (page, "text"), (html, "html"), (html, "auto")):
        response = client.post("/v1/extract", json={"pages": [source], "format": fmt})
        assert response.status_code == 200
        assert response.json()["results"] == plain([extract_article(source, format=fmt)])
    [result] = client.post("/v1/extract", json={"pages": [page]}).json()["results"]
    assert result["title"] == "Harga Beras Naik Lagi"
    assert "Baca juga" not in result["text"]
    assert "Beranda" not in result["text"]
    assert (
        "<p>" not in client.post("/v1/extract", json={"pages": [html]}).json()["results"][0]["text"]
    )


def test_models_health_readiness_and_metrics(client, routes):
    models = client.get("/v1/models").json()
    assert models["routes"] == routes
    assert models["ready"] is True
    assert models["steps"] == ["clean", "detect", "summarize", "translate"]
    assert set(models["loaded"]) == {*routes.values(), models["summary_model"]}
    assert client.get("/healthz").json() == {"status": "ok", "detail": None}
    assert client.get("/readyz").status_code == 200
    client.post("/v1/translate", json={"texts": [ID_SENTENCES[2]]})
    metrics = client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert 'ringkas_requests_total{endpoint="/v1/translate",status="200"}' in text
    assert re.search(r'ringkas_batch_items_count\{kind="translate"\} [1-9]', text)
    assert 'ringkas_queue_depth{kind="translate"} 0.0' in text
    assert "ringkas_request_seconds_bucket" in text
    assert "ringkas_ready 1.0" in text


def test_openapi_schema_describes_every_endpoint(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ("/v1/process", "/v1/translate", "/v1/summarize", "/v1/detect", "/v1/extract"):
        assert "requestBody" in paths[path]["post"]
        assert set(paths[path]["post"]["responses"]) >= {"200", "413", "422", "503", "504"}
    for path in ("/v1/models", "/healthz", "/readyz", "/metrics", "/languages"):
        assert "get" in paths[path]
    assert "requestBody" in paths["/translate"]["post"]
    assert "TranslationOut" in schema["components"]["schemas"]


# -- limits and errors ------------------------------------------------------------------------
def test_validation_errors_name_the_field_and_the_fix(client):
    response = client.post("/v1/translate", json={"text": ["x"]})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["type"] == "ValidationError"
    by_field = {f["field"]: f for f in error["fields"]}
    assert by_field["texts"]["fix"] == "add this field"
    assert "remove this field" in by_field["text"]["fix"]
    response = client.post("/v1/translate", json={"texts": ["x"], "source_lang": "indonesian!"})
    [problem] = response.json()["error"]["fields"]
    assert problem["field"] == "source_lang"
    assert "ISO 639" in problem["fix"]
    assert "give a JSON array" in problem["fix"]  # the other accepted form
    response = client.post(
        "/v1/translate", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422


def test_inputs_the_library_refuses_are_422_with_its_message(client):
    response = client.post("/v1/translate", json={"texts": ["12345 678"]})
    assert response.status_code == 422
    assert response.json()["error"]["type"] == "InputError"
    assert "no detectable language" in response.json()["error"]["message"]
    response = client.post("/v1/translate", json={"texts": ["x"], "source_lang": "zz"})
    assert response.json()["error"]["type"] == "UnsupportedLanguageError"


def test_size_limits_answer_413(ringkas):
    settings = ServeSettings(max_body_bytes=2000, max_items=3)
    with TestClient(create_app(ringkas, settings)) as c:
        response = c.post("/v1/detect", json={"texts": ["kata " * 500]})
        assert response.status_code == 413
        assert "2000 bytes" in response.json()["error"]["message"]
        response = c.post("/v1/detect", json={"texts": ["a", "b", "c", "d"]})
        assert response.status_code == 413
        assert "limit is 3" in response.json()["error"]["message"]
        assert c.post("/v1/detect", json={"texts": ["a", "b", "c"]}).status_code == 200


def test_a_slow_request_answers_504(ringkas):
    settings = ServeSettings(request_timeout_s=0.01, max_wait_ms=200)
    with TestClient(create_app(ringkas, settings)) as c:
        wait_ready(c)
        response = c.post("/v1/translate", json={"texts": [ID_SENTENCES[0]]})
        assert response.status_code == 504
        assert response.json()["error"]["type"] == "Timeout"


def test_a_full_queue_answers_503_with_retry_after(ringkas):
    app = create_app(ringkas, ServeSettings(max_queue=1, max_wait_ms=100))

    async def main() -> list[Any]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                return await asyncio.gather(
                    *(c.post("/v1/detect", json={"texts": [s]}) for s in ID_SENTENCES[:3])
                )

    responses = asyncio.run(main())
    assert [r.status_code for r in responses] == [200, 503, 503]
    assert responses[1].headers["retry-after"] == "1"
    assert responses[1].json()["error"]["type"] == "Overloaded"


def test_not_ready_until_models_load(ringkas, monkeypatch):
    release = threading.Event()
    real = ringkas.load_models

    def slow_load(*args: Any, **kwargs: Any) -> list[str]:
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(ringkas, "load_models", slow_load)
    with TestClient(create_app(ringkas)) as c:
        response = c.get("/readyz")
        assert response.status_code == 503
        assert response.json()["status"] == "loading"
        response = c.post("/v1/translate", json={"texts": [ID_SENTENCES[0]]})
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        assert c.post("/v1/detect", json={"texts": ["x"]}).status_code == 200  # needs no model
        assert c.get("/healthz").status_code == 200
        release.set()
        wait_ready(c)
        assert c.post("/v1/translate", json={"texts": [ID_SENTENCES[0]]}).status_code == 200


def test_unexpected_errors_are_500_without_a_stack_trace(ringkas, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals at /srv/x.py line 3")

    with TestClient(create_app(ringkas), raise_server_exceptions=False) as c:
        wait_ready(c)
        monkeypatch.setattr(ringkas.translator, "translate", broken)
        response = c.post("/v1/translate", json={"texts": [ID_SENTENCES[0]]})
    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "type": "InternalError",
            "message": "internal error; see the server log",
            "fields": [],
        }
    }
    assert "Traceback" not in response.text
    assert "secret" not in response.text


# -- LibreTranslate ---------------------------------------------------------------------------
def test_libretranslate_json_requests(client, ringkas):
    texts = [ID_SENTENCES[0], ID_SENTENCES[1]]
    response = client.post("/translate", json={"q": texts, "source": "auto", "target": "en"})
    expected = ringkas.translator.translate(texts)
    assert response.json() == {
        "translatedText": [r.text for r in expected],
        "detectedLanguage": [
            {"confidence": round(r.lang_confidence * 100, 2), "language": "id"} for r in expected
        ],
    }
    response = client.post("/translate", json={"q": texts[0], "source": "id", "target": "en"})
    assert response.json() == {"translatedText": ID_EN_PAIRS[0][1]}
    response = client.post("/translate", json={"source": "id", "target": "en"})
    assert response.status_code == 400
    assert "q" in response.json()["error"]


def test_libretranslate_html_keeps_the_markup(client):
    page = f'<p class="lead">{ID_SENTENCES[0]}</p>\n<ul><li><b>{ID_SENTENCES[1]}</b></li></ul>'
    response = client.post(
        "/translate", json={"q": page, "source": "id", "target": "en", "format": "html"}
    )
    assert response.json()["translatedText"] == (
        f'<p class="lead">{ID_EN_PAIRS[0][1]}</p>\n<ul><li><b>{ID_EN_PAIRS[1][1]}</b></li></ul>'
    )


def test_libretranslatepy_client_works_unchanged(live_server, routes):
    from libretranslatepy import LibreTranslateAPI

    lt = LibreTranslateAPI(live_server)
    assert lt.translate(ID_SENTENCES[3], "id", "en") == ID_EN_PAIRS[3][1]
    assert lt.translate(ID_SENTENCES[4], "auto", "en") == ID_EN_PAIRS[4][1]
    detected = lt.detect(ID_SENTENCES[5])
    assert detected[0]["language"] == "id"
    assert detected[0]["confidence"] == round(detect_article(ID_SENTENCES[5]).confidence * 100, 2)
    assert lt.languages() == [
        {"code": "en", "name": "English", "targets": ["id"]},
        {"code": "id", "name": "Indonesian", "targets": ["en"]},
    ]


# -- fuzzing ----------------------------------------------------------------------------------
def test_fuzzed_requests_never_5xx_and_every_response_conforms(live_server):
    """Property-based requests from the served OpenAPI schema, a dozen per operation."""
    schemathesis = pytest.importorskip("schemathesis")
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    schema = schemathesis.openapi.from_url(f"{live_server}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 12
    for operation in operations:

        @hypothesis.settings(
            max_examples=12,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy())
        def check(case: Any) -> None:
            case.call_and_validate(checks=checks)

        check()


# -- load -------------------------------------------------------------------------------------
async def hammer(url: str, total: int, clients: int) -> tuple[list[str], list[str]]:
    """``total`` translate requests from ``clients`` concurrent clients; the mismatches and
    the failures."""
    mismatches: list[str] = []
    failures: list[str] = []
    counter = iter(range(total))

    async def client_loop() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=60) as c:
            for i in counter:
                source, target = ID_EN_PAIRS[i % len(ID_EN_PAIRS)]
                try:
                    r = await c.post("/v1/translate", json={"texts": [source], "source_lang": "id"})
                except httpx.HTTPError as exc:
                    failures.append(f"{i}: {type(exc).__name__}")
                    continue
                if r.status_code != 200:
                    failures.append(f"{i}: {r.status_code} {r.text[:100]}")
                elif r.json()["results"][0]["text"] != target:
                    mismatches.append(f"{i}: {r.json()['results'][0]['text']!r} != {target!r}")

    await asyncio.gather(*(client_loop() for _ in range(clients)))
    return mismatches, failures


@pytest.mark.parametrize("total", [320, pytest.param(2000, marks=pytest.mark.slow)])
def test_load_from_32_clients_every_request_answered_exactly(live_server, total):
    """The bounded load test (2,000 requests; ~50 s on a busy 2-core machine, hence slow);
    320 by default."""
    mismatches, failures = asyncio.run(hammer(live_server, total=total, clients=32))
    assert failures == []
    assert mismatches == []
    metrics = httpx.get(f"{live_server}/metrics").text
    count = re.search(r'ringkas_batch_requests_count\{kind="translate"\} ([0-9.e+]+)', metrics)
    total = re.search(r'ringkas_batch_requests_sum\{kind="translate"\} ([0-9.e+]+)', metrics)
    assert count is not None
    assert total is not None
    assert float(total[1]) / float(count[1]) > 1  # requests really shared batches


@pytest.mark.slow  # starts its own server process (~1 min on a busy machine)
def test_sigterm_during_load_answers_every_accepted_request(tiny_models, routes):
    server, url, polls = spawn_server(tiny_models, routes)
    try:
        answered: list[int] = []
        refused: list[str] = []
        answered_wrong: list[str] = []

        async def load() -> None:
            stop = asyncio.Event()

            async def client_loop(n: int) -> None:
                async with httpx.AsyncClient(base_url=url, timeout=60) as c:
                    i = n
                    while not stop.is_set():
                        source, target = ID_EN_PAIRS[i % len(ID_EN_PAIRS)]
                        i += 1
                        try:
                            r = await c.post(
                                "/v1/translate", json={"texts": [source], "source_lang": "id"}
                            )
                        except httpx.HTTPError as exc:  # not accepted: refused or closed
                            refused.append(type(exc).__name__)
                            await asyncio.sleep(0.01)
                            if server.poll() is not None:
                                return
                            continue
                        answered.append(r.status_code)
                        if r.status_code == 200 and r.json()["results"][0]["text"] != target:
                            answered_wrong.append(r.text)

            async def terminate() -> None:
                while len(answered) < 200:
                    await asyncio.sleep(0.01)
                server.send_signal(signal.SIGTERM)
                while server.poll() is None:
                    await asyncio.sleep(0.05)
                stop.set()

            await asyncio.gather(terminate(), *(client_loop(n) for n in range(32)))

        asyncio.run(load())
        _, err = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == 128 + signal.SIGTERM, err  # a clean stop, as the batch CLI
    match = re.search(r"stopped: (\d+) requests accepted, (\d+) answered", err)
    assert match is not None, err
    accepted, done = int(match[1]), int(match[2])
    assert accepted == done
    assert accepted == polls + len(answered)  # every accepted request reached its client
    assert set(answered) <= {200, 503}
    assert answered_wrong == []
    assert refused  # new requests were refused once SIGTERM came


# -- the command ------------------------------------------------------------------------------
def test_serve_command_help_and_usage_errors(capsys):
    from ringkas.cli import main

    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert "ringkas serve" in out.split("example", 1)[1]
    assert "--route" in out
    assert "--max-queue" in out
    assert main(["serve", "--source-lang", "id"]) == 2
    assert "send 'lang' with each article" in capsys.readouterr().err
    assert main(["serve", "--summary-model", "/no/such/folder"]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1


def test_model_and_engine_flags_become_ringkas_options():
    from ringkas.cli import build_parser
    from ringkas.serve import ringkas_options

    args = build_parser().parse_args(
        ["serve", "--route", "id-en=/m/id-en", "--quantize", "none", "--threads", "3",
         "--steps", "clean,translate", "--beams", "2"]
    )  # fmt: skip
    options = ringkas_options(args)
    assert options["routes"] == {"id-en": "/m/id-en"}
    assert options["engine"].quantize == "none"
    assert options["engine"].num_threads == 3
    assert options["steps"] == ("clean", "translate")
    assert options["num_beams"] == 2
    assert options["engine"].device == EngineOptions.from_env().device  # the library's default
    assert options["batching"] == BatchOptions()
    Ringkas(**options)  # every key is a Ringkas keyword


def test_import_ringkas_and_the_cli_stay_free_of_the_server_stack():
    code = (
        "import sys, ringkas, ringkas.serve; from ringkas.cli import build_parser; "
        "build_parser(); "
        "print([m for m in ('fastapi', 'uvicorn', 'prometheus_client', 'starlette') "
        "if m in sys.modules])"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.slow  # starts a server process and builds the tiny benchmark model (~1 min)
def test_bench_serve_smoke(tmp_path, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "_bench_serve", REPO / "benchmarks" / "bench_serve.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--tiny", "--clients", "4", "--repeats", "1", "--out", str(tmp_path)])
    report = json.loads((tmp_path / "bench-serve.json").read_text())
    assert set(report["summary"]) == {"sequential", "concurrent"}
    assert report["ratio"] > 0
    assert "Throughput ratio" in capsys.readouterr().out
