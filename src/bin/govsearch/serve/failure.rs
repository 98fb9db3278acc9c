//! Requests that cannot be answered: a status, a stable code for programs, and the message
//! twice, in English for the API (as the CLI says it) and in plain Chinese for the page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A request that cannot be answered.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) status: StatusCode,
    /// What kind of failure, in a word a program can match: never reworded.
    pub(crate) code: &'static str,
    /// For the API.
    pub(crate) message: String,
    /// For the page's visitor.
    pub(crate) chinese: String,
}

impl Failure {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
        chinese: impl Into<String>,
    ) -> Failure {
        Failure {
            status,
            code,
            message: message.into(),
            chinese: chinese.into(),
        }
    }

    /// A request that asks for something the server does not answer.
    pub(crate) fn bad_request(code: &'static str, message: impl Into<String>, chinese: impl Into<String>) -> Failure {
        Failure::new(StatusCode::BAD_REQUEST, code, message, chinese)
    }

    /// The server failed in a way the request could not have caused.
    pub(crate) fn internal() -> Failure {
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed on this request",
            "服务器处理这个请求时出错了，请稍后再试。",
        )
    }

    /// The index cannot be read as it is on disk now.
    pub(crate) fn damaged() -> Failure {
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "damaged",
            "the index is damaged or changed while it was read; its operator can run `govsearch check`",
            "搜索暂时不可用：索引正在更新或已损坏，请稍后再试。",
        )
    }

    /// Every search permit stayed taken for as long as a request waits.
    pub(crate) fn busy() -> Failure {
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "the server is busy: try again in a moment",
            "服务器正忙，请稍后再试。",
        )
    }

    /// The request took longer than any request may.
    pub(crate) fn timed_out() -> Failure {
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timed_out",
            "the request took too long: try again in a moment, or with fewer words or filters",
            "这个请求用时太长：请稍后再试，或减少搜索词和筛选条件。",
        )
    }

    /// The server is shutting down.
    pub(crate) fn stopping() -> Failure {
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "stopping",
            "the server is stopping",
            "服务器正在停止，请稍后再试。",
        )
    }

    /// No article has the id.
    pub(crate) fn no_such_article() -> Failure {
        Failure::new(
            StatusCode::NOT_FOUND,
            "no_such_article",
            "no article has this id: it was removed since the search that gave it; search again",
            "找不到这篇文章：它可能已被撤下，请重新搜索。",
        )
    }

    /// No page has the address.
    pub(crate) fn no_such_page() -> Failure {
        Failure::new(StatusCode::NOT_FOUND, "no_such_page", "no such page", "没有这个页面。")
    }
}

/// The filter's name on the page.
fn field_label(field: &str) -> &str {
    super::params::FILTERS
        .iter()
        .find(|(key, _)| *key == field)
        .map_or(field, |(_, label)| label)
}

/// How a date is written, said once for every message about dates.
pub(crate) const DATE_FORMS: &str = "请写成 2022-05-10、2022-05、2022年5月 或 2022 这样的日、月或年";

impl From<govsearch::Error> for Failure {
    fn from(err: govsearch::Error) -> Failure {
        use govsearch::{Error, QueryProblem};
        let code = err.code();
        let chinese = match &err {
            Error::BadQuery { problem, .. } => match problem {
                QueryProblem::UnclosedQuote => "搜索词里的引号没有配对：请补上另一半引号，或去掉引号。",
                QueryProblem::NothingToFind => "搜索词里没有可以搜索的文字：请输入要找的词。",
                QueryProblem::OnlyExclusions => "搜索词只有要排除的词（以 - 开头）：请再写上要找的词。",
                _ => "搜索词无法识别：请换一种写法。",
            }
            .to_string(),
            Error::BadDate { text } => format!("“{text}”不是日期：{DATE_FORMS}。"),
            Error::EmptyDateRange { since, until } => {
                format!("日期范围是空的：起始日期（{since}）晚于截止日期（{until}），请调换或修改。")
            }
            Error::FilterTooLarge {
                field,
                max_values,
                max_chars,
                ..
            } => format!(
                "{}筛选条件太多或太长：最多 {max_values} 个，每个最多 {max_chars} 个字。",
                field_label(field)
            ),
            Error::EmptyFilter { field } => {
                format!("{}筛选条件是空的：请填写内容，或去掉这个条件。", field_label(field))
            }
            Error::ClusterUnavailable { .. } | Error::ClusterRefused { .. } => {
                // The cluster's address is the operator's, not the visitor's: logged, not shown.
                eprintln!("govsearch: error: {err}");
                return Failure::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    code,
                    "the search cluster is unavailable",
                    "搜索暂时不可用：搜索集群没有响应，请稍后再试。",
                );
            }
            Error::Internal { .. } => {
                // A bug, not the index: logged with where it happened, said as the server's.
                eprintln!("govsearch: error: {err}");
                return Failure::internal();
            }
            _ => {
                eprintln!("govsearch: error: {err}");
                return Failure::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    code,
                    "the index could not be read",
                    "搜索暂时不可用：索引无法读取，请稍后再试。",
                );
            }
        };
        Failure::bad_request(code, err.to_string(), chinese)
    }
}

/// The API's errors: JSON `{"error": message, "code": code}`.
impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (
            self.status,
            axum::Json(serde_json::json!({ "error": self.message, "code": self.code })),
        )
            .into_response()
    }
}
