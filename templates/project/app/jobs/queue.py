"""Where jobs go: to Redis when JOBS_BROKER_URL is set (`python -m app.worker` runs them), otherwise into this
process, after the response is sent. Both try a failing job JOB_RETRIES times in all, waiting JOB_RETRY_DELAY
seconds, then twice as long each time (up to JOB_RETRY_MAX_DELAY), and both run a job's key once at a time: a
job enqueued while one with the same key waits or runs is dropped."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, FastAPI, Request
from redis.exceptions import RedisError
from saq import Job, Queue
from saq.utils import exponential_backoff

from app.core.config import Settings

logger = logging.getLogger("app.jobs")

Context = dict[str, Any]
JobFunction = Callable[..., Awaitable[Any]]

UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"description": "The job queue cannot be reached; nothing was done. Try again after Retry-After"}
}


class BrokerUnavailable(Exception):
    """The job could not be handed to the broker: the request fails with a 503 (app.main), so that nothing is
    silently lost."""


def broker_queue(settings: Settings) -> Queue | None:
    """The broker's queue, or None when jobs run in this process."""
    url = settings.jobs_broker_url.get_secret_value()
    return Queue.from_url(url, name=settings.jobs_queue) if url else None


@dataclass
class Attempt:
    """What a job run in this process knows of itself: SAQ's Job has the same fields."""

    key: str
    retries: int
    attempts: int = 0


class Jobs:
    """What a route enqueues jobs with (JobsDep)."""

    def __init__(self, app: FastAPI, background: BackgroundTasks) -> None:
        self.app, self.background = app, background
        self.settings: Settings = app.state.settings
        self.queue: Queue | None = app.state.job_queue

    async def enqueue(self, function: JobFunction, *, key: str, **kwargs: Any) -> None:
        """Hand the job over: BrokerUnavailable if the broker cannot take it."""
        settings = self.settings
        if self.queue is None:
            self.background.add_task(run_here, self.app, function, key, kwargs)
            return
        job = Job(
            function.__qualname__,
            kwargs=kwargs,
            key=key,
            retries=settings.job_retries,
            retry_delay=settings.job_retry_delay,
            retry_backoff=settings.job_retry_max_delay,
            timeout=settings.job_timeout,
        )
        try:
            await self.queue.enqueue(job)
        except (RedisError, OSError) as error:
            logger.warning("job %s not enqueued: broker unavailable (%s)", function.__qualname__, type(error).__name__)
            raise BrokerUnavailable from error


def get_jobs(request: Request, background: BackgroundTasks) -> Jobs:
    return Jobs(request.app, background)


JobsDep = Annotated[Jobs, Depends(get_jobs)]


async def run_here(app: FastAPI, function: JobFunction, key: str, kwargs: dict[str, Any]) -> None:
    """Run a job in this process as the worker would: retried with backoff, one run per key at a time."""
    settings: Settings = app.state.settings
    running: set[str] = app.state.running_jobs
    if key in running:
        return
    running.add(key)
    attempt = Attempt(key, settings.job_retries)
    try:
        while True:
            attempt.attempts += 1
            try:
                await asyncio.wait_for(function({"app": app, "job": attempt}, **kwargs), settings.job_timeout)
                return
            except Exception:
                logger.exception("job %s (%s) failed, attempt %d", function.__qualname__, key, attempt.attempts)
                if attempt.attempts >= attempt.retries:
                    return
            await asyncio.sleep(
                exponential_backoff(attempt.attempts, settings.job_retry_delay, settings.job_retry_max_delay)
            )
    finally:
        running.discard(key)


def is_last_attempt(ctx: Context) -> bool:
    """Whether a failure of this run is final: no retry follows."""
    job = ctx["job"]
    return bool(job.attempts >= job.retries)
