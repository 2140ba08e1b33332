package dev.gatehouse.server.admin;

/** Marks a JSON request body of the admin API: read strictly (unknown fields refused). */
interface AdminRequest {}
