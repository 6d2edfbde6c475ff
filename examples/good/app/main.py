"""A tiny Flask service used to demonstrate the hooks."""
from flask import Flask

app = Flask(__name__)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
