"""Background jobs: in this process without a broker, through Redis and a real worker with one."""

from typing import Any

import pytest
from fastapi import BackgroundTasks, FastAPI
from pydantic import SecretStr

from app.jobs.example import say_hello
from app.jobs.queue import BrokerUnavailable, Jobs, run_here
from app.main import create_app
from tests.apps import TestSettings
from tests.jobs import broker_settings, running_worker, wait_for


async def test_the_example_job_runs_in_the_apps_process_without_a_broker(app: FastAPI) -> None:
    """Fails if, with no JOBS_BROKER_URL, an enqueued job does not run in the app's process after the response."""
    background = BackgroundTasks()
    await Jobs(app, background).enqueue(say_hello, key="hello", name="Ada")
    assert len(background.tasks) == 1  # waits for the response to be sent
    ran: list[str] = []

    async def recording(ctx: dict[str, Any], *, name: str) -> None:
        ran.append(await say_hello(ctx, name=name))

    await run_here(app, recording, "hello", {"name": "Ada"})
    assert ran == ["hello, Ada"]


async def test_a_failing_job_is_retried_in_process_up_to_its_limit(app: FastAPI) -> None:
    """Fails if the in-process runner gives up on a failing job at once, retries it forever, or runs two jobs of
    one key at the same time."""
    attempts: list[int] = []

    async def flaky(ctx: dict[str, Any], *, fail: int) -> None:
        attempts.append(ctx["job"].attempts)
        if len(attempts) <= fail:
            raise RuntimeError("not yet")

    await run_here(app, flaky, "flaky", {"fail": 1})
    assert attempts == [1, 2]
    attempts.clear()
    await run_here(app, flaky, "doomed", {"fail": 99})
    assert attempts == list(range(1, app.state.settings.job_retries + 1))
    attempts.clear()
    app.state.running_jobs.add("busy")  # a job of this key is running
    await run_here(app, flaky, "busy", {"fail": 0})
    assert attempts == []


async def test_the_example_job_goes_through_the_broker_to_a_worker(settings: TestSettings) -> None:
    """Fails if, with JOBS_BROKER_URL, an enqueued job is not stored on the broker and run by the worker."""
    broker_app = create_app(await broker_settings(settings))
    async with running_worker(broker_app) as queue:
        await Jobs(broker_app, BackgroundTasks()).enqueue(say_hello, key="hello-broker", name="Ada")
        job = await wait_for(queue, "hello-broker")
    await broker_app.state.job_queue.disconnect()
    assert (job.status, job.result) == ("complete", "hello, Ada")


async def test_a_job_the_broker_cannot_take_is_refused(settings: TestSettings) -> None:
    """Fails if a job is dropped silently when the broker is away (the request must fail with a 503 instead)."""
    away = create_app(settings.model_copy(update={"jobs_broker_url": SecretStr("redis://127.0.0.1:1/0")}))
    with pytest.raises(BrokerUnavailable):
        await Jobs(away, BackgroundTasks()).enqueue(say_hello, key="lost", name="Ada")
