"""The admin at /admin (starlette-admin): one view per model, over the API's repositories."""
