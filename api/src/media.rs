//! Listing photos: type sniffed from the bytes, decoded under dimension and memory limits
//! (decompression bombs are refused before any pixel is allocated), turned upright from the
//! EXIF orientation, and **re-encoded** as WebP at fixed widths, so nothing of the original
//! file (EXIF, GPS position, embedded scripts) survives. Files are content-addressed under
//! `MEDIA_DIR` as `ab/cd/<sha256>-<width>.webp` and never change, so they can be served with
//! immutable cache headers.
//!
//! Everything here is CPU-bound and synchronous: callers run it on the blocking pool.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

/// Largest upload accepted.
pub const MAX_UPLOAD_BYTES: usize = 15 * 1024 * 1024;
/// Largest side accepted: far beyond any camera, far below what exhausts memory.
pub const MAX_SIDE: u32 = 12_000;
/// Memory the decoder may allocate.
pub const MAX_DECODE_BYTES: u64 = 400 * 1024 * 1024;
/// Widths stored (never upscaled: a small photo gets only the widths it can fill).
pub const WIDTHS: [u32; 3] = [320, 800, 1600];
const WEBP_QUALITY: f32 = 80.0;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhotoError {
    /// Not a JPEG, PNG or WebP, whatever its name says.
    #[error("the file is not a JPEG, PNG or WebP image")]
    UnsupportedType,
    #[error("the file is larger than {MAX_UPLOAD_BYTES} bytes")]
    TooLarge,
    #[error("the image is larger than {MAX_SIDE}×{MAX_SIDE} pixels")]
    TooManyPixels,
    #[error("the image could not be read: {0}")]
    Corrupt(String),
}

/// One stored size.
#[derive(Debug, Clone)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    pub webp: Vec<u8>,
}

/// A photo ready to store: the hash of the uploaded bytes names its files.
#[derive(Debug, Clone)]
pub struct ProcessedPhoto {
    pub sha256: String,
    /// Upright size of the original.
    pub width: u32,
    pub height: u32,
    pub variants: Vec<Variant>,
}

/// The format, from the first bytes only.
pub fn sniff(bytes: &[u8]) -> Result<ImageFormat, PhotoError> {
    match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => Ok(f),
        _ => Err(PhotoError::UnsupportedType),
    }
}

/// Decodes, orients and re-encodes an upload.
pub fn process(bytes: &[u8]) -> Result<ProcessedPhoto, PhotoError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = sniff(bytes)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let decode_error = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => PhotoError::TooManyPixels,
        other => PhotoError::Corrupt(other.to_string()),
    };
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    img.apply_orientation(orientation);

    let (width, height) = (img.width(), img.height());
    let mut variants = Vec::new();
    for target in WIDTHS {
        if variants.iter().any(|v: &Variant| v.width >= width) {
            break;
        }
        let sized = if width > target {
            img.resize(target, u32::MAX, image::imageops::FilterType::Lanczos3)
        } else {
            img.clone()
        };
        variants.push(Variant {
            width: sized.width(),
            height: sized.height(),
            webp: encode_webp(&sized),
        });
    }
    Ok(ProcessedPhoto {
        sha256: hex(&Sha256::digest(bytes)),
        width,
        height,
        variants,
    })
}

fn encode_webp(img: &DynamicImage) -> Vec<u8> {
    let rgba;
    let rgb;
    let encoder = if img.color().has_alpha() {
        rgba = img.to_rgba8();
        webp::Encoder::from_rgba(rgba.as_raw(), rgba.width(), rgba.height())
    } else {
        rgb = img.to_rgb8();
        webp::Encoder::from_rgb(rgb.as_raw(), rgb.width(), rgb.height())
    };
    encoder.encode(WEBP_QUALITY).to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a variant lives, relative to `MEDIA_DIR`: `ab/cd/<sha256>-<width>.webp`.
pub fn relative_path(sha256: &str, width: u32) -> PathBuf {
    let (a, b) = (
        sha256.get(0..2).unwrap_or("00"),
        sha256.get(2..4).unwrap_or("00"),
    );
    PathBuf::from(a)
        .join(b)
        .join(format!("{sha256}-{width}.webp"))
}

/// Writes the variants (atomically: a temporary file renamed into place). Files that already
/// exist are the same bytes, since the name is the content hash, and are left alone.
pub fn store(media_dir: &Path, photo: &ProcessedPhoto) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for variant in &photo.variants {
        let relative = relative_path(&photo.sha256, variant.width);
        let path = media_dir.join(&relative);
        if !path.exists() {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
            std::fs::write(&tmp, &variant.webp)?;
            std::fs::rename(&tmp, &path)?;
        }
        written.push(relative);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, RgbImage};

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
            .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
            .unwrap_or_else(|e| panic!("{e}"));
        out
    }

    /// Inserts an EXIF (APP1) segment right after the JPEG's SOI marker: orientation 6
    /// (rotate 90° clockwise) and a GPS IFD pointer, as phones write them.
    fn with_exif(jpeg: &[u8]) -> Vec<u8> {
        let mut tiff: Vec<u8> = b"II*\0".to_vec();
        tiff.extend(8u32.to_le_bytes()); // first IFD at offset 8
        tiff.extend(2u16.to_le_bytes()); // two entries
        tiff.extend(0x0112u16.to_le_bytes()); // Orientation
        tiff.extend(3u16.to_le_bytes()); // SHORT
        tiff.extend(1u32.to_le_bytes());
        tiff.extend(6u32.to_le_bytes()); // value 6, padded
        tiff.extend(0x8825u16.to_le_bytes()); // GPSInfo IFD pointer
        tiff.extend(4u16.to_le_bytes()); // LONG
        tiff.extend(1u32.to_le_bytes());
        tiff.extend(38u32.to_le_bytes()); // GPS IFD right after this IFD
        tiff.extend(0u32.to_le_bytes()); // no next IFD
        tiff.extend(1u16.to_le_bytes()); // GPS IFD: one entry
        tiff.extend(0x0001u16.to_le_bytes()); // GPSLatitudeRef
        tiff.extend(2u16.to_le_bytes()); // ASCII
        tiff.extend(2u32.to_le_bytes());
        tiff.extend(b"N\0\0\0");
        tiff.extend(0u32.to_le_bytes());
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(&tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend([0xFF, 0xE1]);
        out.extend(((app1.len() + 2) as u16).to_be_bytes());
        out.extend(&app1);
        out.extend(&jpeg[2..]);
        out
    }

    /// A PNG header claiming a huge image, with a valid IHDR checksum and no pixel data.
    fn png_bomb(side: u32) -> Vec<u8> {
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend(side.to_be_bytes());
        ihdr.extend(side.to_be_bytes());
        ihdr.extend([8, 2, 0, 0, 0]);
        let crc = crc32fast::hash(&ihdr);
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        out.extend(13u32.to_be_bytes());
        out.extend(&ihdr);
        out.extend(crc.to_be_bytes());
        out
    }

    #[test]
    fn photos_are_reencoded_upright_without_exif_at_three_widths() -> Result<(), PhotoError> {
        let source = with_exif(&jpeg(2000, 1000));
        assert!(
            source.windows(4).any(|w| w == b"Exif"),
            "the fixture carries EXIF"
        );

        let photo = process(&source)?;

        // Orientation 6 turns the 2000×1000 landscape into a 1000×2000 portrait.
        assert_eq!((photo.width, photo.height), (1000, 2000));
        let sizes: Vec<(u32, u32)> = photo.variants.iter().map(|v| (v.width, v.height)).collect();
        assert_eq!(sizes, vec![(320, 640), (800, 1600), (1000, 2000)]);
        for v in &photo.variants {
            assert_eq!(sniff(&v.webp), Ok(ImageFormat::WebP));
            assert!(
                !v.webp.windows(4).any(|w| w == b"EXIF" || w == b"Exif"),
                "no EXIF left"
            );
        }
        assert_eq!(photo.sha256.len(), 64);
        Ok(())
    }

    #[test]
    fn small_photos_are_not_upscaled() -> Result<(), PhotoError> {
        let photo = process(&jpeg(500, 300))?;
        let widths: Vec<u32> = photo.variants.iter().map(|v| v.width).collect();
        assert_eq!(widths, vec![320, 500]);
        Ok(())
    }

    #[test]
    fn bad_files_are_refused() {
        let cases: Vec<(Vec<u8>, PhotoError, &str)> = vec![
            (
                b"<html><script>alert(1)</script></html>".to_vec(),
                PhotoError::UnsupportedType,
                "HTML named .jpg",
            ),
            (
                b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
                PhotoError::UnsupportedType,
                "SVG",
            ),
            (b"%PDF-1.7\n".to_vec(), PhotoError::UnsupportedType, "PDF"),
            (
                png_bomb(60_000),
                PhotoError::TooManyPixels,
                "60,000×60,000 PNG header",
            ),
            (
                vec![0u8; MAX_UPLOAD_BYTES + 1],
                PhotoError::TooLarge,
                "over 15 MB",
            ),
        ];
        for (bytes, expected, why) in cases {
            assert_eq!(process(&bytes).err(), Some(expected), "{why}");
        }
        let truncated = jpeg(100, 100)[..200].to_vec();
        assert!(
            matches!(process(&truncated), Err(PhotoError::Corrupt(_))),
            "truncated JPEG"
        );
    }

    #[test]
    fn storage_is_content_addressed_and_idempotent() -> Result<(), Box<dyn std::error::Error>> {
        let dir =
            std::env::temp_dir().join(format!("hangar-media-{}", uuid::Uuid::new_v4().simple()));
        let photo = process(&jpeg(400, 300))?;
        let first = store(&dir, &photo)?;
        let second = store(&dir, &photo)?;
        assert_eq!(first, second);
        let expected = relative_path(&photo.sha256, 320);
        assert_eq!(first[0], expected);
        assert!(expected.starts_with(&photo.sha256[0..2]));
        assert!(dir.join(&expected).exists());
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
