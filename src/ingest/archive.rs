//! Reading the entries of an uploaded zip without trusting it: a bounded number of
//! entries, a bounded total of uncompressed bytes counted as they are inflated (a zip's
//! headers can claim any size), and no entry whose name would point outside the archive.

use super::{InputFile, ZipLimits};
use crate::error::{Code, Error, Problem, Result};
use std::io::{Cursor, Read};
use zip::result::ZipError;

/// Reads the files of a zip whose path `wanted` accepts, as `InputFile`s named by their
/// path inside the archive. Folders, macOS resource forks (`__MACOSX/`, `._name`) and
/// unwanted entries are skipped without being inflated.
///
/// # Examples
/// ```
/// use gapmap::ingest::{InputFile, ZipLimits, archive};
/// let file = InputFile::new("empty.zip", *b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
/// let entries = archive::read_entries(&file, &ZipLimits::default(), |_| true).unwrap();
/// assert!(entries.is_empty());
/// ```
pub fn read_entries(
    file: &InputFile,
    limits: &ZipLimits,
    wanted: impl Fn(&str) -> bool,
) -> Result<Vec<InputFile>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(file.bytes.as_slice()))
        .map_err(|e| zip_error(&file.name, None, e))?;
    // The central directory is already parsed here, but it cannot be larger than the
    // upload itself; what the limit guards is the work and memory spent per entry.
    if zip.len() > limits.max_entries {
        return Err(Error::problem(
            Code::PayloadTooLarge,
            Problem::in_file(
                &file.name,
                format!(
                    "the zip lists {} entries, more than the limit of {}",
                    zip.len(),
                    limits.max_entries
                ),
            ),
        ));
    }
    let mut out = Vec::new();
    let mut budget = limits.max_total_bytes;
    for i in 0..zip.len() {
        let listed = zip
            .name_for_index(i)
            .and_then(|n| n.ok())
            .map(|n| n.into_owned());
        let mut entry = zip
            .by_index(i)
            .map_err(|e| zip_error(&file.name, listed.as_deref(), e))?;
        let raw_name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        // Nothing is written to disk, but a name that climbs out of the archive is a
        // sign of a hostile file, and such names would end up in messages and stores.
        let Some(path) = entry.enclosed_name() else {
            return Err(Error::problem(
                Code::InvalidFile,
                Problem::in_file(
                    &file.name,
                    format!(
                        "the zip entry '{raw_name}' has a path that leads outside the archive; gapmap refuses such archives"
                    ),
                ),
            ));
        };
        let path = path.to_string_lossy().replace('\\', "/");
        if entry.is_dir() || is_resource_fork(&path) || !wanted(&path) {
            continue;
        }
        let mut bytes = Vec::new();
        // One byte past the budget tells "exactly at the limit" from "beyond it".
        (&mut entry)
            .take(budget.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| zip_error(&file.name, Some(&path), ZipError::Io(e)))?;
        let read = bytes.len() as u64;
        if read > budget {
            return Err(Error::problem(
                Code::PayloadTooLarge,
                Problem::in_file(
                    &file.name,
                    format!(
                        "the zip expands to more than {} bytes (the limit) once inflated, at entry '{path}'",
                        limits.max_total_bytes
                    ),
                ),
            ));
        }
        budget -= read;
        out.push(InputFile::new(path, bytes));
    }
    Ok(out)
}

/// The last component of an entry's path: `tl_2020_17_tract/x.shp` -> `x.shp`.
pub fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The extension in lower case, without the dot.
pub fn extension(path: &str) -> Option<String> {
    let name = base_name(path);
    name.rsplit_once('.')
        .filter(|(stem, _)| !stem.is_empty())
        .map(|(_, ext)| ext.to_ascii_lowercase())
}

fn is_resource_fork(path: &str) -> bool {
    path.starts_with("__MACOSX/") || base_name(path).starts_with("._")
}

fn zip_error(file: &str, entry: Option<&str>, e: ZipError) -> Error {
    let at = entry.map(|p| format!(" (entry '{p}')")).unwrap_or_default();
    let (code, message) = match e {
        // The zip crate refuses to open an encrypted entry at all.
        ZipError::UnsupportedArchive(ZipError::PASSWORD_REQUIRED) => (
            Code::InvalidFile,
            format!(
                "the zip entry '{}' is password-protected; upload it unencrypted",
                entry.unwrap_or("?")
            ),
        ),
        ZipError::UnsupportedArchive(why) => (
            Code::InvalidFile,
            format!("the zip uses a feature gapmap cannot read{at}: {why}"),
        ),
        ZipError::CompressionMethodNotSupported(m) => (
            Code::InvalidFile,
            format!(
                "the zip uses compression method {m}{at}; gapmap reads stored and deflated entries (the usual zip)"
            ),
        ),
        other => (
            Code::MalformedFile,
            format!("the zip archive cannot be read{at}: {other}"),
        ),
    };
    Error::problem(code, Problem::in_file(file, message))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    /// A deflated zip of the given (name, content) entries.
    pub(crate) fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in entries {
            w.start_file(*name, SimpleFileOptions::default()).unwrap();
            w.write_all(content).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn read(bytes: Vec<u8>, limits: ZipLimits) -> Result<Vec<InputFile>> {
        read_entries(&InputFile::new("up.zip", bytes), &limits, |_| true)
    }

    #[test]
    fn entries_are_read_with_their_paths() {
        let z = zip_of(&[("pkg/a.csv", b"x,y\n"), ("__MACOSX/pkg/._a.csv", b"junk")]);
        let files = read(z, ZipLimits::default()).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].name, "pkg/a.csv");
        assert_eq!(files[0].bytes, b"x,y\n");
    }

    #[test]
    fn a_password_protected_entry_is_refused_as_such() {
        let mut z = zip_of(&[("a.csv", b"x,y\n")]);
        // Set the "encrypted" flag (general-purpose bit 0) in the local header (offset 6)
        // and in the central directory entry (signature PK\x01\x02, flag at offset 8).
        z[6] |= 1;
        let central = z.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        z[central + 8] |= 1;
        let e = read(z, ZipLimits::default()).unwrap_err();
        assert_eq!(e.code(), Code::InvalidFile);
        assert!(
            e.message().contains("entry 'a.csv' is password-protected"),
            "{}",
            e.message()
        );
        assert_eq!(e.details()[0].file.as_deref(), Some("up.zip"));
    }

    #[test]
    fn too_many_entries_are_refused_before_any_is_read() {
        let z = zip_of(&[("a", b"1"), ("b", b"2"), ("c", b"3")]);
        let limits = ZipLimits {
            max_entries: 2,
            ..Default::default()
        };
        let e = read(z, limits).unwrap_err();
        assert_eq!(e.code(), Code::PayloadTooLarge);
        assert!(e.message().contains("3 entries"), "{}", e.message());
    }

    #[test]
    fn an_entry_that_inflates_past_the_limit_is_refused() {
        // A megabyte of zeros deflates to about a kilobyte: a zip bomb in miniature.
        let zeros = vec![0u8; 1024 * 1024];
        let z = zip_of(&[("small.txt", b"ok"), ("bomb.bin", &zeros)]);
        assert!(z.len() < 10_000, "the archive should be small: {}", z.len());
        let limits = ZipLimits {
            max_total_bytes: 64 * 1024,
            ..Default::default()
        };
        let e = read(z.clone(), limits).unwrap_err();
        assert_eq!(e.code(), Code::PayloadTooLarge);
        assert!(e.message().contains("bomb.bin"), "{}", e.message());
        // Exactly at the limit is fine.
        let limits = ZipLimits {
            max_total_bytes: 1024 * 1024 + 2,
            ..Default::default()
        };
        assert_eq!(read(z, limits).unwrap().len(), 2);
    }

    #[test]
    fn a_path_leading_outside_the_archive_is_refused() {
        let z = zip_of(&[("../../etc/cron.d/x", b"boom")]);
        let e = read(z, ZipLimits::default()).unwrap_err();
        assert_eq!(e.code(), Code::InvalidFile);
        assert!(
            e.message().contains("../../etc/cron.d/x"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn garbage_after_the_magic_bytes_is_a_malformed_file() {
        let e = read(
            b"PK\x03\x04 this is not a zip".to_vec(),
            ZipLimits::default(),
        )
        .unwrap_err();
        assert_eq!(e.code(), Code::MalformedFile);
        assert_eq!(e.details()[0].file.as_deref(), Some("up.zip"));
    }

    #[test]
    fn names_split_into_base_and_extension() {
        assert_eq!(base_name("a/b/tl_2020.SHP"), "tl_2020.SHP");
        assert_eq!(extension("a/b/tl_2020.SHP").as_deref(), Some("shp"));
        assert_eq!(extension("a/.hidden"), None);
        assert_eq!(extension("README"), None);
    }
}
