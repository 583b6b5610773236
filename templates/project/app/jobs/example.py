"""An example job: copy it to write your own, and list yours in app.jobs.registry.FUNCTIONS."""

import logging

from app.jobs.queue import Context

logger = logging.getLogger("app.jobs")


async def say_hello(ctx: Context, *, name: str) -> str:
    """Log a greeting and return it (the worker keeps a job's result for a while). A job may run twice, after a
    crash say: make what it does safe to repeat, as the mail jobs do with their key."""
    greeting = f"hello, {name}"
    logger.info(greeting)
    return greeting
