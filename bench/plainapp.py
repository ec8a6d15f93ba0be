"""The baseline: a plain async FastAPI route, served like govkit."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok"}


@app.get("/plain")
async def plain() -> dict:
    return {"data": {"hello": "world"}}
