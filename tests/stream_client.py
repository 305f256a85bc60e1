"""A minimal client of Streamlit's WebSocket protocol (``/_stcore/stream``), to replay what an
attacker can send without a browser: name another session's id in the subprotocol, rerun pages
with chosen widget values, ask for deferred downloads and upload URLs, clear the caches."""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect


@dataclass
class Element:
    kind: str
    """The element's type in Streamlit's protocol (``markdown``, ``text_input``, ``button``, …)."""
    proto: Any

    @property
    def text(self) -> str:
        """What the element says: a markdown body, an alert, a heading or a widget's label."""
        for name in ("body", "label"):
            value = getattr(self.proto, name, None)
            if isinstance(value, str) and value:
                return value
        return ""


@dataclass
class Run:
    elements: list[Element] = field(default_factory=list)

    def of(self, kind: str) -> list[Element]:
        return [e for e in self.elements if e.kind == kind]

    @property
    def texts(self) -> str:
        return "\n".join(e.text for e in self.elements)

    def widget(self, kind: str, label: str) -> Any:
        return next(e.proto for e in self.of(kind) if e.text == label)


class StreamClient:
    """One WebSocket connection; ``session_id`` asks to be attached to that existing session."""

    def __init__(self, base_url: str, session_id: str | None = None, cookie: str | None = None) -> None:
        url = base_url.replace("http://", "ws://") + "/_stcore/stream"
        protocols = ["streamlit", "x", session_id] if session_id else ["streamlit"]
        headers = {"Cookie": cookie} if cookie else None
        self.ws = connect(url, subprotocols=protocols, additional_headers=headers, max_size=None, open_timeout=30)
        self.ws.__enter__()  # closed by close()
        self.session_id: str | None = session_id
        self._ids = itertools.count(1)

    def close(self) -> None:
        self.ws.close()

    def __enter__(self) -> "StreamClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _send(self, msg: BackMsg) -> None:
        self.ws.send(msg.SerializeToString())

    def _receive(self, timeout: float) -> ForwardMsg | None:
        try:
            data = self.ws.recv(timeout=timeout)
        except TimeoutError:
            return None
        msg = ForwardMsg()
        msg.ParseFromString(data)
        if msg.WhichOneof("type") == "new_session":
            self.session_id = msg.new_session.initialize.session_id
        return msg

    def rerun(self, page: str = "", widgets: list[Any] | None = None, timeout: float = 90) -> Run:
        """Run the app on ``page`` (URL path) with ``widgets`` (``WidgetState`` messages); the
        elements drawn by the last complete run (the app may rerun itself once)."""
        msg = BackMsg()
        msg.rerun_script.page_name = page
        msg.rerun_script.query_string = ""
        for state in widgets or []:
            msg.rerun_script.widget_states.widgets.append(state)
        self._send(msg)
        run, deadline = Run(), time.time() + timeout
        while time.time() < deadline:
            fwd = self._receive(timeout=max(0.1, deadline - time.time()))
            if fwd is None:
                break
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                run = Run()
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                which = element.WhichOneof("type")
                run.elements.append(Element(which, getattr(element, which)))
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                return run
        raise TimeoutError(f"the run of {page!r} did not finish")

    def request(self, build: Any, answer: str, timeout: float = 90) -> Any:
        """Send a BackMsg filled by ``build(msg, request_id)``; the ForwardMsg field ``answer`` that
        replies to it."""
        request_id = f"r{next(self._ids)}"
        msg = BackMsg()
        build(msg, request_id)
        self._send(msg)
        deadline = time.time() + timeout
        while time.time() < deadline:
            fwd = self._receive(timeout=max(0.1, deadline - time.time()))
            if fwd is not None and fwd.WhichOneof("type") == answer:
                reply = getattr(fwd, answer)
                if getattr(reply, "request_id", None) == request_id or getattr(reply, "response_id", None) == request_id:
                    return reply
        raise TimeoutError(f"no {answer}")

    def deferred_file(self, file_id: str) -> Any:
        """Ask for a deferred download (what clicking a ``download_button(data=callable)`` sends)."""
        def build(msg: BackMsg, request_id: str) -> None:
            msg.backend_operation_request.request_id = request_id
            msg.backend_operation_request.session_id = self.session_id or ""
            msg.backend_operation_request.deferred_file.file_id = file_id

        return self.request(build, "backend_operation_response")

    def upload_urls(self, names: list[str]) -> list[Any]:
        """Ask for upload URLs (what a file uploader sends before PUTting files)."""
        def build(msg: BackMsg, request_id: str) -> None:
            msg.file_urls_request.request_id = request_id
            msg.file_urls_request.session_id = self.session_id or ""
            msg.file_urls_request.file_names.extend(names)

        return list(self.request(build, "file_urls_response").file_urls)

    def clear_cache(self) -> None:
        msg = BackMsg()
        msg.clear_cache = True
        self._send(msg)


def text_value(widget_id: str, value: str) -> Any:
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    return WidgetState(id=widget_id, string_value=value)


def click(widget_id: str) -> Any:
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    return WidgetState(id=widget_id, trigger_value=True)


def log_in(client: StreamClient, user: str, password: str, page: str = "") -> Run:
    """Fill and submit the login form over the WebSocket; the run after it."""
    form = client.rerun(page)
    name = form.widget("text_input", "Tên đăng nhập").id
    secret = form.widget("text_input", "Mật khẩu").id
    button = form.widget("button", "Đăng nhập").id
    return client.rerun(page, [text_value(name, user), text_value(secret, password), click(button)])
