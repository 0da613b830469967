"""The original toolkit's preprocessing (PaddleCV metric_learning reader.py/imgtool.py), with
Python's cv2 and numpy, for given crop boxes: the reference dml4j's ImageTransform is checked
against. Usage: cv2_reference.py OUT.npy CROP SPEC...; SPEC is 'path' (val mode) or
'path:x:y:w:h:flip' (train mode with that crop box and flip)."""
import sys

import cv2
import numpy as np

MEAN = np.array([0.485, 0.456, 0.406]).reshape((3, 1, 1))
STD = np.array([0.229, 0.224, 0.225]).reshape((3, 1, 1))


def resize_short(img, target):
    percent = float(target) / min(img.shape[0], img.shape[1])
    w = int(round(img.shape[1] * percent))
    h = int(round(img.shape[0] * percent))
    return cv2.resize(img, (w, h), interpolation=cv2.INTER_LANCZOS4)


def crop_center(img, size):
    h, w = img.shape[:2]
    ws = (w - size) // 2
    hs = (h - size) // 2
    return img[hs:hs + size, ws:ws + size, :]


def main():
    out, crop, specs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    result = []
    for spec in specs:
        parts = spec.split(':')
        img = cv2.imread(parts[0])
        if len(parts) == 1:
            img = crop_center(resize_short(img, crop), crop)
        else:
            x, y, w, h, flip = (int(v) for v in parts[1:])
            img = cv2.resize(img[y:y + h, x:x + w, :], (crop, crop), interpolation=cv2.INTER_LANCZOS4)
            if flip:
                img = img[:, ::-1, :]
        img = img[:, :, ::-1].astype('float32').transpose((2, 0, 1)) / 255
        img -= MEAN
        img /= STD
        result.append(img)
    np.save(out, np.stack(result).astype('<f4'))


if __name__ == '__main__':
    main()
