"""Background jobs (README "Jobs"): work a request hands off, so that it answers at once.

A job is an async function `job(ctx, **kwargs)`; `ctx["app"]` is an app connected to the database. Write yours
in a module here (app/jobs/example.py shows one), list it in app.jobs.registry.FUNCTIONS, and enqueue it from a
route with `await jobs.enqueue(your_job, key=..., **kwargs)` (`jobs: JobsDep`).
"""
