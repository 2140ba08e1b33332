package dev.gatehouse.server.admin;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of a list: {@code ?page=} (from 0) and {@code ?size=} (1 to {@code gatehouse.server.admin.max-page-size});
 * anything else is a 400 rather than silently clamped, so a client never mistakes a short page for the end.
 *
 * @param page the page number, from 0
 * @param size the page size
 */
record Paging(int page, int size) {

    /** Beyond this, OFFSET scans get silly; nobody pages that far through an admin list. */
    static final int MAX_PAGE = 1_000_000;

    static Paging of(@Nullable Integer page, @Nullable Integer size, AdminProperties properties) {
        int p = page == null ? 0 : page;
        int s = size == null ? properties.defaultPageSize() : size;
        if (p < 0 || p > MAX_PAGE) {
            throw AdminException.invalidField(
                    "page", "admin.invalid_page", "page must be between 0 and " + MAX_PAGE + ".");
        }
        if (s < 1 || s > properties.maxPageSize()) {
            throw AdminException.invalidField(
                    "size", "admin.invalid_page_size", "size must be between 1 and " + properties.maxPageSize() + ".");
        }
        return new Paging(p, s);
    }

    long offset() {
        return (long) page * size;
    }

    /**
     * A page of results with its position.
     *
     * @param items the items of this page
     * @param page the page number, from 0
     * @param size the page size asked for
     * @param totalItems how many items there are in all
     * @param totalPages how many pages of this size there are
     * @param <T> the item type
     */
    record Page<T>(List<T> items, int page, int size, long totalItems, long totalPages) {
        Page {
            items = List.copyOf(items);
        }
    }

    <T> Page<T> page(List<T> items, long total) {
        return new Page<>(items, page, size, total, (total + size - 1) / size);
    }
}
