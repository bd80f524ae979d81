import { BinaryBitmap, DataMatrixReader, DecodeHintType, HTMLCanvasElementLuminanceSource, HybridBinarizer } from '@zxing/library';

/**
 * GS1 DataMatrix decoding in the browser, offline (@zxing/library is plain JavaScript, nothing
 * fetched at run time). zxing reports FNC1 as the GS character; a leading FNC1 is GS1's marker
 * that the symbol carries GS1 element strings, which a scanner reports as the symbology
 * identifier ]d2, so that is what the rest of the system receives.
 */
const reader = new DataMatrixReader();
const hints = new Map<DecodeHintType, unknown>([[DecodeHintType.TRY_HARDER, true]]);

export function decodeCanvas(canvas: HTMLCanvasElement): string | null {
  try {
    const text = reader.decode(new BinaryBitmap(new HybridBinarizer(new HTMLCanvasElementLuminanceSource(canvas))), hints).getText();
    return text.startsWith('\u001d') ? `]d2${text.slice(1)}` : text;
  } catch {
    return null; // no symbol found in this frame
  } finally {
    reader.reset();
  }
}

/** Phone photos are large: decode at most ~1200 px across, which keeps a symbol's modules several pixels wide. */
export async function decodeImageFile(file: Blob): Promise<string | null> {
  const bitmap = await createImageBitmap(file);
  for (const max of [1200, 600, 2400]) {
    const scale = Math.min(1, max / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    // White behind transparent pixels: a PNG label with no background would otherwise read as black.
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const text = decodeCanvas(canvas);
    if (text) return text;
  }
  return null;
}
