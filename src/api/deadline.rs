//! Request timeouts. A read that runs past its deadline, or a write (upload included)
//! that does, is answered with 503 `timeout`. Dropping a write's future drops its open
//! transaction, which rolls back, so a timed-out import leaves the store as it was.

use crate::error::{Code, Error};
use actix_web::http::Method;
use std::future::Future;
use std::time::Duration;

/// How long a request may take, by kind.
#[derive(Clone, Copy, Debug)]
pub struct Deadlines {
    /// GET, HEAD and OPTIONS.
    pub read: Duration,
    /// Everything that may change the store.
    pub write: Duration,
}

impl Deadlines {
    /// The deadline of a request with this method, and the flag that sets it.
    pub fn for_method(&self, method: &Method) -> (Duration, &'static str) {
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            (self.read, "--request-timeout-secs")
        } else {
            (self.write, "--write-timeout-secs")
        }
    }
}

/// Runs `fut` until it finishes or `limit` passes, whichever is first.
pub async fn within<T, E>(
    limit: Duration,
    flag: &'static str,
    fut: impl Future<Output = Result<T, E>>,
) -> Result<T, actix_web::Error>
where
    E: Into<actix_web::Error>,
{
    match tokio::time::timeout(limit, fut).await {
        Ok(done) => done.map_err(Into::into),
        Err(_) => Err(Error::new(
            Code::Timeout,
            format!(
                "the request took longer than its limit of {} s ({flag}); try again, or ask the operator to raise the limit",
                limit.as_secs_f64()
            ),
        )
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_slow_request_is_cut_off_with_503_and_a_quick_one_is_not() {
        let quick = within(Duration::from_millis(200), "--x", async {
            Ok::<_, actix_web::Error>(7)
        })
        .await;
        assert_eq!(quick.unwrap(), 7);

        let slow = within(Duration::from_millis(20), "--x", async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok::<_, actix_web::Error>(7)
        })
        .await;
        let e = slow.unwrap_err();
        assert_eq!(e.as_response_error().status_code(), 503);
        assert!(e.to_string().contains("0.02 s (--x)"), "{e}");
    }

    #[test]
    fn reads_and_writes_have_their_own_deadline() {
        let d = Deadlines {
            read: Duration::from_secs(1),
            write: Duration::from_secs(2),
        };
        assert_eq!(d.for_method(&Method::GET).0, Duration::from_secs(1));
        assert_eq!(d.for_method(&Method::PUT).0, Duration::from_secs(2));
        assert_eq!(d.for_method(&Method::DELETE).1, "--write-timeout-secs");
    }
}
