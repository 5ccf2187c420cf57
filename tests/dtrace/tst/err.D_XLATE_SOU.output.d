/* A translator's output must be a struct or union. */
translator int < proc_t *P > {
	x = 1;
};
