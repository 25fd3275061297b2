"""`smallwise serve`: the OpenAI-compatible API in the foreground, with an engine of its own."""

from __future__ import annotations

import os
import signal
import sys
from argparse import Namespace

from desktop_app.api.app import create_app
from desktop_app.api.models import PREFIX, ApiModels
from desktop_app.api.server import ApiServer, bind, check_address
from desktop_app.api.service import ApiService, Serialized
from desktop_app.cli.models import catalog_for
from desktop_app.cli.output import Output
from desktop_app.core.conversation import Conversations
from desktop_app.core.engine.client import EngineClient
from desktop_app.core.errors import UsageError
from desktop_app.core.hardware import profile
from desktop_app.core.store import Store
from desktop_app.paths import AppPaths
from desktop_app.settings import Settings


def serve(args: Namespace, paths: AppPaths, out: Output) -> int:
    key = args.api_key or os.environ.get("SMALLWISE_API_KEY", "")
    check_address(args.host, key)
    if args.max_waiting < 0:
        raise UsageError("--max-waiting cannot be negative.")
    sock = bind(args.host, args.port)
    settings = Settings(paths.settings_file)
    store = Store(paths.database)
    client = EngineClient(log_path=str(paths.log_dir / "engine.log"))
    conversations = Conversations(Serialized(store), client, settings)
    service = None
    try:
        models = ApiModels(
            conversations.store,
            settings,
            catalog_for(paths),
            paths.models_dir,
            profile(),
            lambda: conversations.client,
            default=args.model,
        )
        first = models.resolve(PREFIX + "chat").model  # loaded now, not at the first request
        conversations.preload(first, out.note)
        service = ApiService(conversations, models, keep=args.store, max_waiting=args.max_waiting)
        server = ApiServer(create_app(service, key), sock)
        kept = "kept in the database" if args.store else "not kept"
        print(f"Serving {first.id} at {server.url} (conversations {kept}).", flush=True)
        out.note("Ctrl+C stops the server.")
        _run(server)
    finally:
        if service is not None:
            service.shutdown()
        client.shutdown()
        store.close()
        sock.close()
    return 0


def _run(server: ApiServer) -> None:
    """Until Ctrl+C or SIGTERM; uvicorn finishes the answers in flight (briefly) first."""
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
