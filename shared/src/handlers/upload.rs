//! A `multipart/form-data` form (a page's file upload) read from the Lambda's body bytes, by the
//! `multer` parser fed the whole body as one chunk. Only text fields and one file are kept.

use crate::http::{HttpError, params};
use bytes::Bytes;
use futures_util::stream;
use lambda_http::Request;
use lambda_http::http::header::CONTENT_TYPE;
use std::collections::BTreeMap;
use std::convert::Infallible;

/// The fields of an uploaded form: each text field's value, and the file's bytes.
#[derive(Debug, Default)]
pub struct Upload {
    pub fields: BTreeMap<String, String>,
    pub file: Option<Vec<u8>>,
}

impl Upload {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or_default()
    }
}

/// Whether the request is a multipart form (its parts are read by [`read_upload`]).
pub fn is_multipart(req: &Request) -> bool {
    params::content_type(req).as_deref() == Some("multipart/form-data")
}

/// The form's parts; `file_field` names the one file kept. A body that is not a well-formed
/// multipart form is refused with what to do, never half-read.
pub async fn read_upload(req: &Request, file_field: &str) -> Result<Upload, HttpError> {
    let body = params::body(req)?;
    let unreadable = |why: String| {
        HttpError::BadRequest(format!(
            "the uploaded form could not be read ({why}); choose the file again and send the form"
        ))
    };
    let header = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let boundary = multer::parse_boundary(header).map_err(|e| unreadable(e.to_string()))?;
    let bytes = Bytes::copy_from_slice(body);
    let mut form = multer::Multipart::new(stream::once(async move { Ok::<_, Infallible>(bytes) }), boundary);
    let mut upload = Upload::default();
    while let Some(field) = form.next_field().await.map_err(|e| unreadable(e.to_string()))? {
        let name = field.name().unwrap_or_default().to_owned();
        let data = field.bytes().await.map_err(|e| unreadable(e.to_string()))?;
        if name == file_field {
            upload.file = Some(data.to_vec());
        } else {
            let text = String::from_utf8(data.to_vec())
                .map_err(|_| unreadable(format!("the field “{name}” is not UTF-8 text")))?;
            upload.fields.insert(name, text);
        }
    }
    Ok(upload)
}
