//! One error type for the library and the API: a stable machine code, an HTTP status and
//! a message a person can act on, plus per-row details for uploads.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::fmt;

/// One precise problem in an uploaded file: which file, which row, which field.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// The file's name as uploaded (or the multipart field / table name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Row as a spreadsheet shows it (the header is row 1), or the 1-based feature number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// Column or property name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong and, where it helps, what to do.
    pub message: String,
}

impl Problem {
    /// A problem in a file, without row or field.
    pub fn in_file(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: Some(file.to_owned()),
            row: None,
            field: None,
            message: message.into(),
        }
    }

    /// A problem at a row and field of a file.
    pub fn at(file: &str, row: u64, field: &str, message: impl Into<String>) -> Self {
        Self {
            file: Some(file.to_owned()),
            row: Some(row),
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    /// A problem with one field of a request body (an edit in the API).
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self {
            file: None,
            row: None,
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    /// A problem at a row of a file, not tied to one field.
    pub fn at_row(file: &str, row: u64, message: impl Into<String>) -> Self {
        Self {
            file: Some(file.to_owned()),
            row: Some(row),
            field: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}")?;
            if let Some(row) = self.row {
                write!(f, ", row {row}")?;
            }
            if let Some(field) = &self.field {
                write!(f, ", field '{field}'")?;
            }
            write!(f, ": ")?;
        }
        f.write_str(&self.message)
    }
}

macro_rules! error_codes {
    ($($variant:ident => ($code:literal, $status:ident)),* $(,)?) => {
        /// The stable error codes, each with its HTTP status.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Code { $($variant),* }

        impl Code {
            /// The snake_case code clients match on.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code),* }
            }
            /// The HTTP status for this code.
            pub fn status(self) -> StatusCode {
                match self { $(Self::$variant => StatusCode::$status),* }
            }
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Self::$variant),*];
        }

        /// The OpenAPI schema of a code: the closed list of strings clients match on.
        impl utoipa::PartialSchema for Code {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),*]))
                    .description(Some("The stable error code; the HTTP status follows from it (DESIGN.md, 'Errors')."))
                    .into()
            }
        }
        impl utoipa::ToSchema for Code {
            fn name() -> std::borrow::Cow<'static, str> {
                "ErrorCode".into()
            }
        }
    };
}

error_codes! {
    MalformedFile => ("malformed_file", BAD_REQUEST),
    InvalidFile => ("invalid_file", UNPROCESSABLE_ENTITY),
    EmptyFile => ("empty_file", UNPROCESSABLE_ENTITY),
    UnknownGeoid => ("unknown_geoid", UNPROCESSABLE_ENTITY),
    StrippedLeadingZero => ("stripped_leading_zero", UNPROCESSABLE_ENTITY),
    DuplicateId => ("duplicate_id", UNPROCESSABLE_ENTITY),
    InvalidCoordinates => ("invalid_coordinates", UNPROCESSABLE_ENTITY),
    InvalidGeometry => ("invalid_geometry", UNPROCESSABLE_ENTITY),
    UnsupportedCrs => ("unsupported_crs", UNPROCESSABLE_ENTITY),
    UnsupportedMediaType => ("unsupported_media_type", UNSUPPORTED_MEDIA_TYPE),
    PayloadTooLarge => ("payload_too_large", PAYLOAD_TOO_LARGE),
    InvalidParameter => ("invalid_parameter", BAD_REQUEST),
    MalformedBody => ("malformed_body", BAD_REQUEST),
    UnknownField => ("unknown_field", BAD_REQUEST),
    InvalidValue => ("invalid_value", UNPROCESSABLE_ENTITY),
    NotFound => ("not_found", NOT_FOUND),
    MethodNotAllowed => ("method_not_allowed", METHOD_NOT_ALLOWED),
    UnknownGeography => ("unknown_geography", NOT_FOUND),
    UnknownYear => ("unknown_year", NOT_FOUND),
    UnknownNeed => ("unknown_need", NOT_FOUND),
    UnknownIndicator => ("unknown_indicator", UNPROCESSABLE_ENTITY),
    FilterWithoutData => ("filter_without_data", UNPROCESSABLE_ENTITY),
    MissingToken => ("missing_token", UNAUTHORIZED),
    InvalidToken => ("invalid_token", UNAUTHORIZED),
    Forbidden => ("forbidden", FORBIDDEN),
    Conflict => ("conflict", CONFLICT),
    Timeout => ("timeout", SERVICE_UNAVAILABLE),
    Unavailable => ("unavailable", SERVICE_UNAVAILABLE),
    Internal => ("internal", INTERNAL_SERVER_ERROR),
}

/// gapmap's error: what went wrong, for whom (status) and where (details).
#[derive(Debug)]
pub struct Error {
    code: Code,
    message: String,
    details: Vec<Problem>,
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with a code and message.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// An error about uploaded content, with the precise problems.
    pub fn with_details(code: Code, message: impl Into<String>, details: Vec<Problem>) -> Self {
        Self {
            code,
            message: message.into(),
            details,
        }
    }

    /// A single problem in a file; the message repeats the location so it stands alone.
    pub fn problem(code: Code, problem: Problem) -> Self {
        Self {
            code,
            message: problem.to_string(),
            details: vec![problem],
        }
    }

    /// Our own failure (a bug or an unavailable store). The cause is logged, not shown.
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            Code::Internal,
            "gapmap failed to complete the request; the cause is in the server log",
        )
    }

    /// The stable code.
    pub fn code(&self) -> Code {
        self.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The per-row problems.
    pub fn details(&self) -> &[Problem] {
        &self.details
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        // On a terminal the first problems matter more than their count.
        for p in self.details.iter().take(20) {
            if p.to_string() != self.message {
                write!(f, "\n  - {p}")?;
            }
        }
        if self.details.len() > 20 {
            write!(f, "\n  … and {} more", self.details.len() - 20)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<sqlx::Error> for Error {
    /// A store that cannot be reached (a restarting or unreachable database, a pool with
    /// no free connection) is a 503 the client may retry; a statement cancelled by
    /// `--db-statement-timeout` is a timeout; anything else is our failure.
    fn from(e: sqlx::Error) -> Self {
        use sqlx::Error as E;
        let sqlstate = match &e {
            E::Database(db) => db.code().map(|c| c.into_owned()),
            _ => None,
        };
        let unreachable = matches!(
            e,
            E::Io(_) | E::Tls(_) | E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed
        ) || sqlstate.as_deref().is_some_and(|c| {
            // PostgreSQL: connection exceptions (08…), too many connections, shutdowns.
            // SQLite: busy (5) or locked (6) past the busy timeout.
            c.starts_with("08") || matches!(c, "53300" | "57P01" | "57P02" | "57P03" | "5" | "6")
        });
        if unreachable {
            tracing::warn!(error = %e, "the store is unavailable");
            return Self::new(
                Code::Unavailable,
                "the data store is unavailable just now; try again shortly (a write is stored whole or not at all)",
            );
        }
        if sqlstate.as_deref() == Some("57014") {
            return Self::new(
                Code::Timeout,
                "the data store cancelled a statement that ran past --db-statement-timeout",
            );
        }
        Self::internal(format_args!("store: {e}"))
    }
}

/// Every error answer: `{"error": {"code", "message", "details"}}`.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct Body<'a> {
    error: Inner<'a>,
}

/// What went wrong.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ErrorDetail)]
pub struct Inner<'a> {
    /// The stable code.
    #[schema(value_type = Code)]
    code: &'static str,
    /// What went wrong and what to do, for a person.
    message: &'a str,
    /// The precise problems of an upload, by file, row and field; empty otherwise.
    #[schema(value_type = Vec<Problem>)]
    details: &'a [Problem],
}

/// The headers every answer carries unless its handler set its own: no content sniffing,
/// no referrer beyond gapmap, no framing, and for anything that is not a page a policy
/// that loads nothing. They live here because an error raised by a middleware becomes
/// its response outside every middleware, so its response must carry them itself.
pub const SECURITY_HEADERS: [(header::HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    ),
];

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        for header in SECURITY_HEADERS {
            response.insert_header(header);
        }
        // RFC 6750: a 401 names the scheme it wants, and why a token given was refused.
        match self.code {
            Code::MissingToken => {
                response.insert_header((header::WWW_AUTHENTICATE, r#"Bearer realm="gapmap""#));
            }
            Code::InvalidToken => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    r#"Bearer realm="gapmap", error="invalid_token""#,
                ));
            }
            _ => {}
        }
        response.json(Body {
            error: Inner {
                code: self.code.as_str(),
                message: &self.message,
                details: &self.details,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_store_is_a_503_to_retry_and_a_bug_is_a_500() {
        let closed = Error::from(sqlx::Error::PoolClosed);
        assert_eq!(closed.code(), Code::Unavailable);
        assert_eq!(closed.code().status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(closed.message().contains("try again"));
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert_eq!(Error::from(sqlx::Error::Io(io)).code(), Code::Unavailable);
        assert_eq!(Error::from(sqlx::Error::RowNotFound).code(), Code::Internal);
    }
}
