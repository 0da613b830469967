package org.dml4j.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dml4j.error.UsageException;

/**
 * What eval evaluates and where its results go, one field per flag (null when not given); the
 * combination decides the {@link Protocol}. The constructor refuses combinations that mean nothing
 * ({@link UsageException} naming the flags).
 *
 * @param features        {@code --features}: queries' (or all) embeddings [N, D] .npy instead of running a model
 * @param labels          {@code --labels}: their labels
 * @param galleryFeatures {@code --gallery_features}: the gallery's embeddings
 * @param galleryLabels   {@code --gallery_labels}: their labels (−1: junk)
 * @param queryList       {@code --query_list}: query images (SOP list columns)
 * @param galleryList     {@code --gallery_list}: gallery images
 * @param cameras         {@code --cameras}: the queries' camera ids, one per line
 * @param galleryCameras  {@code --gallery_cameras}: the gallery's camera ids
 * @param pairs           {@code --pairs}: verification pairs ({@link org.dml4j.data.PairsFile})
 * @param outputJson      {@code --output_json}
 * @param report          {@code --report}
 */
public record EvalInputs(Path features, Path labels, Path galleryFeatures, Path galleryLabels, Path queryList,
                         Path galleryList, Path cameras, Path galleryCameras, Path pairs, Path outputJson,
                         Path report) {

    /** The evaluation protocols (docs/PROTOCOLS.md). */
    public enum Protocol {
        /** Every image a query against all the others (SOP, CUB-200-2011, Cars196). */
        ALL_AGAINST_ALL,
        /** Queries against a gallery, with junk and optional cameras (In-Shop Clothes, Market-1501). */
        QUERY_GALLERY,
        /** Labelled pairs (LFW). */
        VERIFICATION
    }

    public EvalInputs {
        boolean gallery = galleryFeatures != null || galleryLabels != null || queryList != null || galleryList != null;
        if (labels != null && features == null) {
            throw new UsageException("--labels goes with --features");
        }
        if ((galleryFeatures == null) != (galleryLabels == null)) {
            throw new UsageException("--gallery_features and --gallery_labels go together");
        }
        if (galleryFeatures != null && features == null) {
            throw new UsageException("--gallery_features needs the queries' --features and --labels");
        }
        if ((queryList == null) != (galleryList == null)) {
            throw new UsageException("--query_list and --gallery_list go together");
        }
        if (queryList != null && (features != null || galleryFeatures != null)) {
            throw new UsageException("give the queries and gallery either as images (--query_list, --gallery_list) or"
                    + " as features (--features, --gallery_features), not both");
        }
        if ((cameras == null) != (galleryCameras == null)) {
            throw new UsageException("--cameras and --gallery_cameras go together");
        }
        if (cameras != null && !gallery) {
            throw new UsageException("--cameras is for the query/gallery protocol: give --gallery_features or"
                    + " --query_list/--gallery_list with it");
        }
        if (pairs != null && gallery) {
            throw new UsageException("--pairs (verification) does not go with a gallery");
        }
        if (features != null && labels == null && pairs == null) {
            throw new UsageException("--features needs --labels (one integer label per line)");
        }
        if (report != null && gallery) {
            throw new UsageException("--report is for the SOP protocol (a page of sample queries) and --pairs (a ROC"
                    + " curve), not for a gallery");
        }
        if (pairs != null && labels != null) {
            throw new UsageException("--labels is not used with --pairs (the pairs say which are the same identity)");
        }
        if (outputJson != null) {
            for (Path input : new Path[] {features, labels, galleryFeatures, galleryLabels, queryList, galleryList,
                cameras, galleryCameras, pairs}) {
                if (input != null && input.toAbsolutePath().normalize().equals(outputJson.toAbsolutePath().normalize())) {
                    throw new UsageException("--output_json " + outputJson + " is one of the inputs; it would be"
                            + " overwritten");
                }
            }
        }
        if (report != null && features != null && pairs == null) {
            throw new UsageException("--report needs the test split's images; it does not go with --features");
        }
    }

    /** Which protocol these inputs ask for. */
    public Protocol protocol() {
        if (pairs != null) {
            return Protocol.VERIFICATION;
        }
        return galleryFeatures != null || queryList != null ? Protocol.QUERY_GALLERY : Protocol.ALL_AGAINST_ALL;
    }

    /**
     * A file flag's path: as given when it exists (or is absolute), else the same relative path in
     * {@code dataDir} when that exists, else as given (for the error naming it). Lists, cameras and
     * pairs usually live in the data root beside Ebay_test.txt.
     */
    public static Path inDataDir(Path file, Path dataDir) {
        if (file == null || file.isAbsolute() || Files.exists(file)) {
            return file;
        }
        Path there = dataDir.resolve(file);
        return Files.exists(there) ? there : file;
    }
}
