//! Connections of the emulator's HTTP server, so that even the errors the HTTP layer answers
//! by itself are Scaleway-shaped JSON.
//!
//! hyper refuses some requests before any handler sees them: a request line longer than
//! 65,534 bytes (414), headers over its buffer (431), an unparsable request (400). It then
//! writes a bare status line with an empty body and closes the connection. [`Connection`]
//! recognises such an answer as it is written (a status line with no `content-type` header:
//! every answer of the emulator's own has one) and writes a JSON error with the same status in
//! its place, still closing the connection.
//!
//! Invariant: only those automatic answers are replaced; every other byte is passed through
//! unchanged. Depends on [`super::errors`] for the body.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::http::StatusCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use super::errors::{ApiError, status_message};

/// The listener of the emulator: accepted connections are [`Connection`]s.
pub(crate) struct Listener(pub(crate) TcpListener);

impl axum::serve::Listener for Listener {
    type Io = Connection;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = axum::serve::Listener::accept(&mut self.0).await;
        (
            Connection {
                stream,
                replacement: Vec::new(),
                written: 0,
                replaced_len: 0,
            },
            addr,
        )
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A TCP connection whose automatic HTTP-layer error answers are rewritten (module docs).
pub(crate) struct Connection {
    stream: TcpStream,
    /// The answer being written in place of an automatic one (empty when none).
    replacement: Vec<u8>,
    /// How much of `replacement` is written.
    written: usize,
    /// The length of the automatic answer it replaces (what the writer is told was written).
    replaced_len: usize,
}

/// The status of an answer hyper wrote by itself, if `head` is one.
///
/// Vectored writes are off for [`Connection`], so hyper hands over a whole response head in
/// one buffer.
fn automatic_status(head: &[u8]) -> Option<StatusCode> {
    let rest = head
        .strip_prefix(b"HTTP/1.1 ")
        .or_else(|| head.strip_prefix(b"HTTP/1.0 "))?;
    let status = StatusCode::from_bytes(rest.get(..3)?).ok()?;
    if !matches!(
        status,
        StatusCode::BAD_REQUEST
            | StatusCode::URI_TOO_LONG
            | StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
    ) {
        return None;
    }
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    let has_content_type = head[..end]
        .split(|&b| b == b'\n')
        .any(|line| line.to_ascii_lowercase().starts_with(b"content-type:"));
    (!has_content_type).then_some(status)
}

/// The JSON answer written in place of an automatic one with this status.
fn replacement(status: StatusCode) -> Vec<u8> {
    let body = ApiError::Message(status, status_message(status).unwrap_or("bad request"))
        .body()
        .to_string();
    format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\nserver: Scaleway API Gateway (scwform-emulator)\r\n\r\n{body}",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len(),
    )
    .into_bytes()
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.replacement.is_empty() {
            match automatic_status(buf) {
                Some(status) => {
                    this.replacement = replacement(status);
                    this.written = 0;
                    this.replaced_len = buf.len();
                }
                None => return Pin::new(&mut this.stream).poll_write(cx, buf),
            }
        }
        // Writing the replacement: the caller retries with the same buffer until it is done.
        while this.written < this.replacement.len() {
            let n = ready!(
                Pin::new(&mut this.stream).poll_write(cx, &this.replacement[this.written..])
            )?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            this.written += n;
        }
        this.replacement.clear();
        Poll::Ready(Ok(this.replaced_len))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bare_http_layer_errors_are_recognised() {
        let bare = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        assert_eq!(automatic_status(bare), Some(StatusCode::URI_TOO_LONG));
        let ours = b"HTTP/1.1 414 URI Too Long\r\ncontent-type: application/json\r\n\r\n{}";
        assert_eq!(automatic_status(ours), None);
        let other = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(automatic_status(other), None);
        assert_eq!(automatic_status(b"{\"message\":\"HTTP/1.1 414 \"}"), None);
    }

    #[test]
    fn the_replacement_is_a_whole_json_answer() {
        let text = String::from_utf8(replacement(StatusCode::URI_TOO_LONG)).expect("UTF-8");
        let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
        assert!(head.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{head}");
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let json: serde_json::Value = serde_json::from_str(body).expect("JSON body");
        assert_eq!(json["message"], "request URI too long");
    }
}
