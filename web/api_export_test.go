package web

// APIRoute is a route of the API table, for the external tests.
type APIRoute struct{ Method, Path string }

// APIRoutes lists the API's route table: what apiRoutes registers.
func APIRoutes() []APIRoute {
	var out []APIRoute
	for _, rt := range (*Server)(nil).apiRouteTable() {
		out = append(out, APIRoute{rt.Method, rt.Path})
	}
	return out
}
