//! What the webhook receivers in the tests read: one HTTP/1.1 request off a socket.

use tokio::io::AsyncReadExt;

/// The head (lowercased) and body (by its Content-Length) of one HTTP/1.1 request; empty when
/// the peer closed first.
pub async fn read_request(socket: &mut tokio::net::TcpStream) -> (String, Vec<u8>) {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = socket.read(&mut buf).await.unwrap_or(0);
        if n == 0 {
            return (String::new(), Vec::new());
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = header(&head, "content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            while data.len() < end + 4 + length {
                let n = socket.read(&mut buf).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                data.extend_from_slice(&buf[..n]);
            }
            let body = data[end + 4..(end + 4 + length).min(data.len())].to_vec();
            return (head, body);
        }
    }
}

/// A header's value in a lowercased head.
pub fn header(head: &str, name: &str) -> Option<String> {
    head.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .map(|v| v.trim().to_owned())
}

/// A local HTTP server answering every request with one status and JSON body, which a test
/// may change; it keeps the head of every request it was sent.
pub struct Served {
    pub url: String,
    answer: std::sync::Arc<std::sync::Mutex<(u16, String)>>,
    heads: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Served {
    /// Serves `body` with `status` at `http://127.0.0.1:<free port><path>`.
    pub async fn start(path: &str, status: u16, body: &str) -> Self {
        use tokio::io::AsyncWriteExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}{path}", listener.local_addr().unwrap());
        let answer = std::sync::Arc::new(std::sync::Mutex::new((status, body.to_owned())));
        let heads = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (answering, keeping) = (answer.clone(), heads.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let (head, _) = read_request(&mut socket).await;
                if head.is_empty() {
                    continue;
                }
                keeping.lock().unwrap().push(head);
                let (status, body) = answering.lock().unwrap().clone();
                let _ = socket
                    .write_all(
                        format!(
                            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .await;
            }
        });
        Self { url, answer, heads }
    }

    /// From now on, answer `body` with `status`.
    pub fn answer(&self, status: u16, body: &str) {
        *self.answer.lock().unwrap() = (status, body.to_owned());
    }

    /// The heads (lowercased) of the requests received so far.
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}
