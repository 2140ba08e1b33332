/**
 * The pages' shared parts: the language a page is shown in ({@link UiLocaleResolver}: OIDC {@code ui_locales}, then
 * {@code Accept-Language}), the branding of the layout ({@link GatehouseUi}, {@code gatehouse.server.ui.*}: product
 * name, logo, primary colour as {@code /assets/theme.css}, support link) and the override directory whose templates,
 * message bundles and assets win over the built-in ones. The pages themselves are Thymeleaf templates
 * ({@code templates/}, one layout, one stylesheet, message bundles {@code i18n/}).
 */
@NullMarked
package dev.gatehouse.server.pages;

import org.jspecify.annotations.NullMarked;
