"""The only code that touches llama_cpp. It runs in a worker process (worker.py); the app talks
to it through client.py, so a native crash never takes the window down."""
