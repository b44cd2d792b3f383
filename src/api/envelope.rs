//! What every response carries, whichever handler made it: the security headers, and the
//! error shape for the wrong-method answers the framework makes itself. (A path no route
//! matches is answered by [`not_found`]; an error a middleware raises carries the headers
//! through `Error`'s own response.)

use crate::error::{Code, Error, SECURITY_HEADERS};
use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, ResponseError};

/// The request's method and path, taken before the request goes to the inner service.
pub struct Asked {
    method: Method,
    path: String,
}

impl Asked {
    /// What the request asks for.
    pub fn of(req: &actix_web::dev::ServiceRequest) -> Self {
        Self {
            method: req.method().clone(),
            path: req.path().to_owned(),
        }
    }
}

/// The response sent: a framework 405 gets the error shape, and every response the
/// security headers its handler did not set itself.
pub fn finish(asked: Asked, res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let mut res = if is_bare_method_not_allowed(&res) {
        let (req, _) = res.into_parts();
        ServiceResponse::new(req, method_not_allowed(&asked).error_response())
    } else {
        res
    };
    let headers = res.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    res
}

/// A 405 as actix-web's resources make it: no body, so no Content-Type.
fn is_bare_method_not_allowed(res: &ServiceResponse<BoxBody>) -> bool {
    res.status() == StatusCode::METHOD_NOT_ALLOWED
        && !res.headers().contains_key(header::CONTENT_TYPE)
}

fn method_not_allowed(asked: &Asked) -> Error {
    Error::new(
        Code::MethodNotAllowed,
        format!(
            "{} is not a method of {} (/api/openapi.json lists what each path answers)",
            asked.method, asked.path
        ),
    )
}

/// The answer for a path no route matches, API or not.
pub async fn not_found(req: HttpRequest) -> crate::error::Result<actix_web::HttpResponse> {
    Err(Error::new(
        Code::NotFound,
        format!(
            "there is nothing at {} {} (/api/openapi.json lists the API; the map is at /)",
            req.method(),
            req.path()
        ),
    ))
}
