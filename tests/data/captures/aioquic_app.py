# A minimal ASGI application for aioquic's examples/http3_server.py (make-captures.sh, v2):
# answers every GET with the bytes of the file named by the path under $QUIRE_WWW.
import os


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    path = os.path.join(os.environ["QUIRE_WWW"], os.path.basename(scope["path"]))
    try:
        with open(path, "rb") as f:
            body = f.read()
        status = 200
    except OSError:
        body, status = b"not found\n", 404
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
