//! JSON over HTTP to an OpenSearch cluster, with retries and back-off on what a busy or
//! recovering cluster answers: 429, 502, 503, 504, a refused or dropped connection, a
//! timeout. Anything else is the answer.

use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Result};

/// How many times a request is sent before the cluster is said to be unavailable.
const ATTEMPTS: u32 = 6;
/// The first wait before sending again; it doubles each time, up to [`LONGEST_WAIT`].
const FIRST_WAIT: Duration = Duration::from_millis(200);
const LONGEST_WAIT: Duration = Duration::from_secs(5);
/// The most of an answer read: a page of hits with their bodies, or a page of ids.
const LONGEST_ANSWER: u64 = 256 << 20;

/// A connection to one cluster through the nodes it was given: requests go to one node (the
/// cluster routes them on), and to the next when that one does not answer.
pub(crate) struct Client {
    agent: ureq::Agent,
    /// The nodes' addresses, without a trailing slash.
    bases: Vec<String>,
    /// The node requests go to now.
    current: std::sync::atomic::AtomicUsize,
    /// `user:password` of the address, sent as basic authentication.
    authorization: Option<String>,
    /// The address as messages show it: without credentials.
    pub(crate) shown: String,
    attempts: u32,
}

/// An answer: its status and its JSON (`Null` for an empty or non-JSON body).
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) json: Value,
}

impl Answer {
    pub(crate) fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// What the cluster said went wrong, in one line.
    pub(crate) fn problem(&self) -> String {
        let reason = self.json["error"]["reason"]
            .as_str()
            .or_else(|| self.json["error"].as_str())
            .unwrap_or("no reason given");
        format!("HTTP {}: {reason}", self.status)
    }
}

impl Client {
    /// A client of the cluster at `url`: `http://host:9200`, credentials as `user:pass@`,
    /// several nodes separated by commas (`http://a:9200,http://b:9200`). Each request is
    /// given up after `timeout`.
    pub(crate) fn new(url: &str, timeout: Duration) -> Result<Client> {
        let mut bases = Vec::new();
        let mut authorization = None;
        for node in url.split(',') {
            let bad = |detail: &str| Error::ClusterUnavailable {
                url: shown(node),
                detail: detail.to_string(),
            };
            let node = node.trim().trim_end_matches('/');
            let rest = node
                .strip_prefix("http://")
                .ok_or_else(|| bad("the address must start with http:// (this build speaks plain HTTP)"))?;
            let host = match rest.split_once('@') {
                Some((credentials, host)) => {
                    authorization = Some(credentials.to_string());
                    host
                }
                None => rest,
            };
            if host.is_empty() || host.contains(['/', '?', '#', '@']) {
                return Err(bad("the address must be http://host:port, with no path"));
            }
            bases.push(format!("http://{host}"));
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Ok(Client {
            agent,
            shown: bases.join(","),
            bases,
            current: std::sync::atomic::AtomicUsize::new(0),
            authorization,
            attempts: ATTEMPTS,
        })
    }

    /// The same client, sending each request once to each node (a server answering visitors
    /// does not keep them waiting through a cluster's recovery).
    pub(crate) fn once(mut self) -> Client {
        self.attempts = self.bases.len() as u32;
        self
    }

    /// Sends `body` (JSON, or NDJSON for `_bulk`) with `method` to `path` (from the root,
    /// with its query string), again after a wait while the cluster answers that it is busy
    /// or does not answer.
    pub(crate) fn send(&self, method: &str, path: &str, body: Option<&[u8]>) -> Result<Answer> {
        use std::sync::atomic::Ordering;
        let mut wait = FIRST_WAIT;
        let mut last = String::new();
        for attempt in 0..self.attempts {
            let node = self.current.load(Ordering::Relaxed) % self.bases.len();
            // A node that does not answer is followed by the next one at once; the wait is
            // for a cluster that answered it is busy, or for a round of every node.
            if attempt > 0 && (self.bases.len() == 1 || node == 0) {
                std::thread::sleep(wait);
                wait = (wait * 2).min(LONGEST_WAIT);
            }
            match self.send_once(&self.bases[node], method, path, body) {
                Ok(answer) if matches!(answer.status, 429 | 502 | 503 | 504) => last = answer.problem(),
                Ok(answer) => return Ok(answer),
                Err(problem) => {
                    last = problem;
                    let next = (node + 1) % self.bases.len();
                    let _ = self
                        .current
                        .compare_exchange(node, next, Ordering::Relaxed, Ordering::Relaxed);
                }
            }
        }
        let tries = match self.attempts {
            1 => String::new(),
            n => format!(" (sent {n} times)"),
        };
        Err(Error::ClusterUnavailable {
            url: self.shown.clone(),
            detail: format!("{method} {}{tries}: {last}", path_only(path)),
        })
    }

    /// [`Client::send`] of a JSON value, the answer required to be a success.
    pub(crate) fn json(&self, method: &str, path: &str, body: &Value) -> Result<Value> {
        let bytes = serde_json::to_vec(body).map_err(|err| Error::Internal {
            location: format!("{}:{}", file!(), line!()),
            detail: err.to_string(),
        })?;
        let answer = self.send(method, path, Some(&bytes))?;
        if !answer.ok() {
            return Err(Error::ClusterUnavailable {
                url: self.shown.clone(),
                detail: format!("{method} {}: {}", path_only(path), answer.problem()),
            });
        }
        Ok(answer.json)
    }

    fn send_once(
        &self,
        base: &str,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> std::result::Result<Answer, String> {
        let mut request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{base}{path}"))
            .header("accept", "application/json");
        if body.is_some() {
            let kind = if path.contains("_bulk") {
                "application/x-ndjson"
            } else {
                "application/json"
            };
            request = request.header("content-type", kind);
        }
        if let Some(credentials) = &self.authorization {
            use base64::Engine;
            let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
            request = request.header("authorization", format!("Basic {encoded}"));
        }
        let request = request
            .body(body.unwrap_or_default().to_vec())
            .map_err(|err| err.to_string())?;
        let mut response = self.agent.run(request).map_err(|err| err.to_string())?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(LONGEST_ANSWER)
            .read_to_string()
            .map_err(|err| err.to_string())?;
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Answer { status, json })
    }
}

/// A node's address as messages show it: without credentials.
fn shown(node: &str) -> String {
    match node.trim().split_once('@') {
        Some((before, host)) => {
            let scheme = before.split_once("://").map_or("", |(scheme, _)| scheme);
            format!("{scheme}://{host}")
        }
        None => node.trim().to_string(),
    }
}

/// A request's path without its query string, for messages.
fn path_only(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

/// `text` as one segment of a URL path (an index name, a document id).
pub(crate) fn segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_read_with_their_nodes_and_shown_without_credentials() {
        let client = Client::new(
            "http://user:secret@127.0.0.1:9201/, http://127.0.0.1:9202",
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(client.bases, ["http://127.0.0.1:9201", "http://127.0.0.1:9202"]);
        assert_eq!(client.authorization.as_deref(), Some("user:secret"));
        assert!(!client.shown.contains("secret"), "{}", client.shown);
        for bad in [
            "https://127.0.0.1:9200",
            "127.0.0.1:9200",
            "http://127.0.0.1:9200/index",
            "http://",
        ] {
            let err = Client::new(bad, Duration::from_secs(1)).err().expect(bad).to_string();
            assert!(err.contains("unavailable") && !err.contains("secret"), "{bad}: {err}");
        }
        let err = Client::new("https://u:secret@h:1", Duration::from_secs(1))
            .err()
            .unwrap()
            .to_string();
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn a_node_that_does_not_answer_is_passed_for_the_next() {
        // A port nothing listens on, then one that answers with a canned HTTP response.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let open = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = open.local_addr().unwrap();
        let answering = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let (mut stream, _) = open.accept().unwrap();
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let body = r#"{"ok":true}"#;
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(reply.as_bytes()).unwrap();
        });
        let client = Client::new(&format!("http://{closed},http://{address}"), Duration::from_secs(5))
            .unwrap()
            .once();
        let answer = client.send("GET", "/", None).unwrap();
        assert_eq!((answer.status, answer.json["ok"].as_bool()), (200, Some(true)));
        answering.join().unwrap();
        let alone = Client::new(&format!("http://{closed}"), Duration::from_secs(5))
            .unwrap()
            .once();
        let err = alone.send("GET", "/", None).err().unwrap();
        assert!(matches!(err, Error::ClusterUnavailable { .. }), "{err}");
    }
}
