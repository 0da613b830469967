/**
 * {@code dml4j prepare}: converters from published data-set layouts (a folder per class, CUB-200-2011,
 * DeepFashion In-shop, Market-1501, LFW) into dml4j's list layout, and verification pairs drawn
 * from any list ({@link org.dml4j.data.prepare.VerificationPairs}).
 *
 * <p>Every converter reads its source completely and checks it (malformed lines and missing images
 * are reported with {@code file:line}) before anything is written; the result is a
 * {@link org.dml4j.data.prepare.PreparedFolder}, written as one folder in one step. Images are not
 * copied: the folder gets symbolic links (absolute targets) to the source's image folders, and the
 * lists' paths go through them. The files:
 * <ul>
 * <li>{@code Ebay_train.txt}, {@code Ebay_test.txt}: SOP lists ({@code image_id class_id
 * super_class_id path}, class ids from 1);</li>
 * <li>{@code query.txt}, {@code gallery.txt}: the same columns, where class 0 is a distractor (matches
 * nothing) and class −1 junk (never counted); {@code query_cameras.txt} and
 * {@code gallery_cameras.txt}: one camera id per line, in the lists' order;</li>
 * <li>{@code pairs.txt}: a {@code #} comment line, then {@code i j same} lines, {@code i} and
 * {@code j} 0-based rows of {@code Ebay_test.txt}'s image lines, in consecutive equal folds
 * ({@link org.dml4j.data.PairsFile}).</li>
 * </ul>
 * The super-class column repeats the class id (none of these sources has a super class).
 */
package org.dml4j.data.prepare;
