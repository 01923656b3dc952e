//! One kind's objects, a page at a time (`limit` and `continue`), so that a
//! large kind is never one response the server must build in memory.

use kube::core::Request;
use kube::core::params::ListParams;
use serde_json::Value;

use super::discover::Kind;

/// Objects per page: kubectl's default chunk size.
pub const PAGE_SIZE: u32 = 500;

#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error(transparent)]
    Request(#[from] kube::Error),
    #[error("{0}")]
    Malformed(String),
}

/// Every object of `kind` (in `namespace` when given), as the server wrote
/// it (items of a list carry no `apiVersion` or `kind`).
pub async fn list_all(
    client: &kube::Client,
    kind: &Kind,
    namespace: Option<&str>,
) -> Result<Vec<Value>, ListError> {
    let request = Request::new(kind.url_path(namespace));
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut params = ListParams::default().limit(PAGE_SIZE);
        if let Some(token) = &token {
            params = params.continue_token(token);
        }
        let http = request.list(&params).map_err(kube::Error::BuildRequest)?;
        let mut page: Value = client.request(http).await?;
        match page.get_mut("items").map(Value::take) {
            Some(Value::Array(page_items)) => items.extend(page_items),
            // An empty list may come as `"items": null`.
            Some(Value::Null) | None => {}
            Some(_) => {
                return Err(ListError::Malformed(
                    "the list's `items` is not an array".to_owned(),
                ));
            }
        }
        let next = page
            .pointer("/metadata/continue")
            .and_then(Value::as_str)
            .filter(|next| !next.is_empty())
            .map(str::to_owned);
        match next {
            None => return Ok(items),
            Some(next) if token.as_deref() == Some(next.as_str()) => {
                return Err(ListError::Malformed(
                    "the server answered a page with the same `continue` token again".to_owned(),
                ));
            }
            Some(next) => token = Some(next),
        }
    }
}
