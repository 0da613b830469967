package org.dml4j.model;

import org.dml4j.data.ImageShape;
import org.dml4j.error.UsageException;

/**
 * What fixes a network's shape: backbone, input, embedding width, and where the first block of a
 * stage strides.
 *
 * @param embeddingSize width of {@code fc_0}, or 0 for the pooled features
 * @param strideIn1x1   stride on the first 1×1 convolution of a bottleneck (Keras' and Caffe's
 *                      ResNet50, "v1") instead of on the 3×3 one (the original's, "v1.5");
 *                      bottleneck backbones only
 */
public record Architecture(Backbone backbone, ImageShape shape, int embeddingSize, boolean strideIn1x1) {
    public Architecture {
        if (embeddingSize < 0) {
            throw new UsageException("--embedding_size must be >= 0 (0 = pooled features), got " + embeddingSize);
        }
        if (strideIn1x1 && !backbone.hasStrideChoice()) {
            throw new UsageException("--stride_in_1x1=True needs a bottleneck backbone (ResNet50, 101, 152),"
                    + " not --model=" + backbone);
        }
    }

    /** The original's layout: stride on the 3×3 convolution. */
    public Architecture(Backbone backbone, ImageShape shape, int embeddingSize) {
        this(backbone, shape, embeddingSize, false);
    }
}
