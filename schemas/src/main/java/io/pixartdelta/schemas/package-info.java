/** The wire contract: render jobs and status events. */
package io.pixartdelta.schemas;
