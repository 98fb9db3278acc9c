//! The server's connections: a bounded number open at once, closed when they send nothing.
//!
//! axum's own `serve` accepts every connection and keeps each open for as long as the client
//! likes, so a few hundred silent sockets (or headers sent a byte at a time) take every file
//! the process may open. Here each connection takes one of a bounded number of slots. A
//! connection that takes longer than the idle time to send a request's headers, first or
//! next, is closed. When every slot is taken, the connection that has waited longest without a
//! request in progress is closed to make room, so silent clients cannot keep new ones out;
//! only when every connection is in the middle of a request does a new one wait to be
//! accepted.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

/// The most connections the server keeps open unless told otherwise.
const DEFAULT_CONNECTIONS: u32 = 1024;
/// Files the process keeps for itself: the index's files while a new view opens, the log,
/// the listener.
const RESERVED_FILES: u64 = 48;
/// The largest request head hyper reads before it answers 431 itself. Requests above the
/// server's own, lower limits get an answer with a body from the router (see `limits`).
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How long requests in flight may take to finish once the server is told to stop.
const DRAIN_TIME: Duration = Duration::from_secs(15);
/// How long a connection stays safe from being closed for room after its last answer, so
/// that an answer still being written is not cut.
const ANSWER_GRACE: Duration = Duration::from_millis(500);

/// How many connections the server keeps open at once: what the operator asked for, or the
/// default, but never more than the process may open files for.
pub(crate) fn cap(asked: Option<u32>) -> usize {
    let files = open_files_limit().saturating_sub(RESERVED_FILES).max(1);
    let asked = u64::from(asked.unwrap_or(DEFAULT_CONNECTIONS));
    usize::try_from(asked.min(files)).unwrap_or(usize::MAX)
}

/// The soft limit on open files (`ulimit -n`).
fn open_files_limit() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given and reads nothing else.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 || limit.rlim_cur == libc::RLIM_INFINITY {
        return u64::MAX;
    }
    limit.rlim_cur
}

/// Serves `app` on `listener` until `stop` resolves, then lets the requests in flight finish.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    slots: usize,
    idle: Duration,
    stop: impl Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(idle)
        .max_buf_size(MAX_HEAD_BYTES)
        .keep_alive(true);
    let table = Arc::new(Table::default());
    let (stopping, stopped) = watch::channel(false);
    tokio::pin!(stop);
    loop {
        let made_room = tokio::select! {
            () = table.room(slots) => true,
            () = &mut stop => false,
        };
        if !made_room {
            break;
        }
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of files or memory, or a connection reset before it was accepted:
                    // the listener itself is fine, so wait a little and go on.
                    if !is_connection_error(&err) {
                        eprintln!("govsearch: cannot accept a connection: {err}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let slot = table.open();
        let service = {
            let (app, table, id) = (app.clone(), Arc::clone(&table), slot.id);
            hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                let (app, busy) = (app.clone(), table.busy(id));
                async move {
                    let mut request = request.map(Body::new);
                    // Who asked: the search log counts a visitor by a hash of it.
                    request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                    let response = app.oneshot(request).await;
                    drop(busy);
                    response
                }
            })
        };
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            tokio::pin!(connection);
            // A client that goes away or times out is no error of the server's.
            tokio::select! {
                _ = connection.as_mut() => {}
                // Closed to make room: no request is in progress on it.
                () = slot.evict.notified() => {}
                () = async { let _ = stopped.wait_for(|stop| *stop).await; } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(slot);
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    if tokio::time::timeout(DRAIN_TIME, table.empty()).await.is_err() {
        eprintln!("govsearch: some requests did not finish in time");
    }
}

fn is_connection_error(err: &std::io::Error) -> bool {
    matches!(
        err.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// The open connections.
#[derive(Default)]
struct Table {
    open: Mutex<Open>,
    /// Told each time a connection closes.
    closed: Notify,
}

#[derive(Default)]
struct Open {
    next_id: u64,
    connections: HashMap<u64, Connection>,
}

struct Connection {
    /// Requests in progress.
    busy: u32,
    /// When the last request ended, or the connection opened.
    since: Instant,
    evict: Arc<Notify>,
}

/// One open connection's place in the table, given back when dropped.
struct Slot {
    id: u64,
    evict: Arc<Notify>,
    table: Arc<Table>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.table.lock().connections.remove(&self.id);
        self.table.closed.notify_waiters();
    }
}

/// A request in progress on a connection; the connection is idle again when dropped.
struct Busy {
    id: u64,
    table: Arc<Table>,
}

impl Drop for Busy {
    fn drop(&mut self) {
        if let Some(connection) = self.table.lock().connections.get_mut(&self.id) {
            connection.busy -= 1;
            connection.since = Instant::now();
        }
    }
}

impl Table {
    fn lock(&self) -> std::sync::MutexGuard<'_, Open> {
        // The table is consistent after every statement, so a panic elsewhere leaves it usable.
        self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn open(self: &Arc<Self>) -> Slot {
        let mut open = self.lock();
        let id = open.next_id;
        open.next_id += 1;
        let evict = Arc::new(Notify::new());
        open.connections.insert(
            id,
            Connection {
                busy: 0,
                since: Instant::now(),
                evict: Arc::clone(&evict),
            },
        );
        Slot {
            id,
            evict,
            table: Arc::clone(self),
        }
    }

    fn busy(self: &Arc<Self>, id: u64) -> Busy {
        if let Some(connection) = self.lock().connections.get_mut(&id) {
            connection.busy += 1;
        }
        Busy {
            id,
            table: Arc::clone(self),
        }
    }

    /// Resolves once fewer than `slots` connections are open, closing the one idle longest
    /// when all are taken.
    async fn room(&self, slots: usize) {
        loop {
            let closed = self.closed.notified();
            {
                let mut open = self.lock();
                if open.connections.len() < slots {
                    return;
                }
                let now = Instant::now();
                let idlest = open
                    .connections
                    .iter()
                    .filter(|(_, c)| c.busy == 0 && now.duration_since(c.since) >= ANSWER_GRACE)
                    .min_by_key(|(_, c)| c.since)
                    .map(|(id, _)| *id);
                if let Some(id) = idlest {
                    if let Some(connection) = open.connections.remove(&id) {
                        connection.evict.notify_one();
                    }
                    return;
                }
            }
            // Every connection is answering, or answered a moment ago: wait for one to close
            // or to age.
            tokio::select! {
                () = closed => {}
                () = tokio::time::sleep(ANSWER_GRACE / 2) => {}
            }
        }
    }

    /// Resolves once every connection has closed.
    async fn empty(&self) {
        loop {
            let closed = self.closed.notified();
            if self.lock().connections.is_empty() {
                return;
            }
            closed.await;
        }
    }
}
